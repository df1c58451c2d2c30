package relay_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/relay"
)

// TestKeyOfAnotherVendorConcurrently: two enqueues of one key for two
// vendors at once, on PostgreSQL, each round: one is stored, the other is
// an input error naming Key (never ErrDuplicate), and the stored delivery
// is the winner's.
func TestKeyOfAnotherVendorConcurrently(t *testing.T) {
	ctx := context.Background()
	r := open(t, postgresBackend(t))
	for round := range 40 {
		key := fmt.Sprintf("race-%d", round)
		sm, zn := salesmanLead(round), zenLead(round)
		sm.Key, zn.Key = key, key
		var errs [2]error
		var wg sync.WaitGroup
		for i, j := range []relay.Job{sm, zn} {
			wg.Go(func() {
				if i == 0 {
					_, errs[i] = r.Enqueue(ctx, j)
				} else {
					_, errs[i] = r.EnqueueMany(ctx, []relay.Job{j})
				}
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			require.ErrorIs(t, err, leadkit.ErrInvalidInput, "round %d", round)
			require.False(t, errors.Is(err, relay.ErrDuplicate), "round %d", round)
			assert.Contains(t, err.Error(), "Key")
		}
		require.Equal(t, 1, ok, "round %d: %v", round, errs)
		st, err := r.Status(ctx, key)
		require.NoError(t, err)
		if errs[0] == nil {
			assert.Equal(t, relay.VendorSalesman, st.Vendor)
		} else {
			assert.Equal(t, relay.VendorZen, st.Vendor)
		}
	}
}
