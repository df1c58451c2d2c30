package testutil

import (
	"iter"
	"testing"
)

// Tally runs a walk (a client's All… iterator) to its end, failing t on the
// error it yields, and returns the key of each item in the order it came
// and how many times each key came: a test of a walk counts with it that
// every item came exactly once.
func Tally[T any, K comparable](t testing.TB, walk iter.Seq2[T, error], key func(T) K) (order []K, times map[K]int) {
	t.Helper()
	times = map[K]int{}
	for v, err := range walk {
		if err != nil {
			t.Fatalf("the walk failed after %d items: %v", len(order), err)
		}
		k := key(v)
		order = append(order, k)
		times[k]++
	}
	return order, times
}
