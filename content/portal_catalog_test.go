package content

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
)

// A listed location not on the map has no point in its JSON: no list
// shows it at 0, 0.
func TestListedLocationJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		loc  ListedLocation
		want string
	}{
		{"on the map", ListedLocation{ID: "a", Comune: "Ancona", Point: orb.Point{13.5, 43.6}}, `{"id":"a","comune":"Ancona","point":[13.5,43.6]}`},
		{"not on the map", ListedLocation{ID: "b", NoPoint: true}, `{"id":"b","comune":"","no_point":true}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.loc)
			if err != nil || string(got) != tt.want {
				t.Errorf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
