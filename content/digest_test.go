package content

import (
	"context"
	"testing"
)

// Digest reads a small catalog's services at once and a large one's one
// by one: both give the same digest, and a change to a service changes it.
func TestDigestBulkEqualsOneByOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openDemo(t)
	bulk, err := st.digest(ctx, bulkDigestMax)
	if err != nil {
		t.Fatal(err)
	}
	one, err := st.digest(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if bulk != one {
		t.Fatalf("digest read at once %s, one by one %s", bulk, one)
	}
	svc, err := st.Service(ctx, "ancona-info-0")
	if err != nil {
		t.Fatal(err)
	}
	svc.Name["en"] += " (changed)"
	if err := st.PutService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	if after, err := st.Digest(ctx); err != nil || after == bulk {
		t.Errorf("a changed service: digest %s (%v), as before", after, err)
	}
}
