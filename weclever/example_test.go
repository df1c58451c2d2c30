package weclever_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

func ExampleLeadsService_Finalized() {
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 1})
	defer srv.Close()
	c, err := weclever.NewClient(weclevertest.DefaultPlatformID, weclevertest.DefaultUser,
		weclevertest.DefaultPassword, weclever.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	from, to := srv.SeedRange() // midnight: sent as YYYY-MM-DD
	leads, err := c.Leads.Finalized(context.Background(), from, to)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(leads), "leads")
	for _, l := range leads {
		if l.ID == 100001 || l.ID == 100002 || l.ID == 100003 {
			fmt.Printf("%d %s %q\n", l.ID, l.ClientLeadID.Kind(), l.ClientLeadID)
		}
	}
	// Unordered output:
	// 300 leads
	// 100001 string "00123"
	// 100002 number "9007199254740993"
	// 100003 null ""
}

func ExampleLeadsService_Get() {
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 1})
	defer srv.Close()
	c, _ := weclever.NewClient(weclevertest.DefaultPlatformID, weclevertest.DefaultUser,
		weclevertest.DefaultPassword, weclever.WithBaseURL(srv.URL))
	ctx := context.Background()

	lead, err := c.Leads.Get(ctx, 100004)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("messages:", len(lead.Chats.Messages))

	_, err = c.Leads.Get(ctx, 999)
	fmt.Println(errors.Is(err, weclever.ErrNotFound))
	// Output:
	// messages: 0
	// true
}

func ExampleClientLeadID() {
	var id weclever.ClientLeadID
	_ = id.UnmarshalJSON([]byte(`"00123"`))
	fmt.Println(id.Kind(), id)
	_ = id.UnmarshalJSON([]byte(`9007199254740993`))
	fmt.Println(id.Kind(), id)
	_ = id.UnmarshalJSON([]byte(`null`))
	fmt.Println(id.Kind(), id.IsNull())
	// Output:
	// string 00123
	// number 9007199254740993
	// null true
}

func ExampleFormatDate() {
	brasilia := time.FixedZone("-03", -3*60*60)
	a, _ := weclever.FormatDate(time.Date(2024, 3, 1, 0, 0, 0, 0, brasilia))
	b, _ := weclever.FormatDate(time.Date(2024, 5, 31, 18, 30, 0, 0, brasilia))
	fmt.Println(a, b)
	// Output: 2024-03-01 2024-05-31+18:30:00
}
