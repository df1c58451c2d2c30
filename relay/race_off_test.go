//go:build !race

package relay_test

// raceDetector reports the test binary was built with -race.
const raceDetector = false
