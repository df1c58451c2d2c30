package zenvia

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/leadkit/leadkit"
)

// NormalizePhone returns raw in E.164 ("+5551987654321"), parsed with
// github.com/nyaruka/phonenumbers (a port of Google's libphonenumber).
// defaultRegion is the ISO 3166-1 alpha-2 region ("BR", "AR", "MX") assumed
// for a number written without a country code; it may be "" when every
// number starts with "+". A number that does not parse or is not a valid
// number of its region is an input error naming "phone".
func NormalizePhone(raw, defaultRegion string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", leadkit.Invalid("phone", "must not be empty")
	}
	if defaultRegion != "" {
		if err := checkRegion(defaultRegion); err != nil {
			return "", err
		}
	}
	region := strings.ToUpper(defaultRegion)
	if region == "" {
		region = "ZZ" // unknown: only numbers with a "+" parse
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return "", leadkit.Invalid("phone", "%q is not a phone number: %v", raw, err)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", leadkit.Invalid("phone", "%q is not a valid phone number", raw)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// checkRegion reports whether region is a region phonenumbers knows.
func checkRegion(region string) error {
	r := strings.ToUpper(region)
	if len(r) != 2 || phonenumbers.GetCountryCodeForRegion(r) == 0 {
		return leadkit.Invalid("region", "%q is not an ISO 3166-1 alpha-2 region with a phone plan", region)
	}
	return nil
}
