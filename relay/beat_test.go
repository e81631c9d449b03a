package relay

import (
	"testing"
	"time"
)

func TestBeatEvery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		portal time.Duration
		asked  int64
		want   time.Duration
	}{
		{"an older totem asks nothing", 30 * time.Second, 0, 30 * time.Second},
		{"a totem asks for less", 30 * time.Second, 1000, time.Second},
		{"a totem asks for more: the portal's", 30 * time.Second, 200_000, 30 * time.Second},
		{"never under a second", 30 * time.Second, 10, time.Second},
		{"a negative ask is none", 5 * time.Second, -4, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := beatEvery(tc.portal, tc.asked); got != tc.want {
				t.Errorf("beatEvery(%v, %d) = %v, want %v", tc.portal, tc.asked, got, tc.want)
			}
		})
	}
}
