package content

import "testing"

func TestContactChecks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		check func(string, string) error
		value string
		ok    bool
	}{
		{ValidURL, "https://www.comune.ancona.it/servizi?x=1", true},
		{ValidURL, "http://example.org", true},
		{ValidURL, "javascript:alert(1)", false},
		{ValidURL, "JavaScript:alert(1)", false},
		{ValidURL, "data:text/html,<script>alert(1)</script>", false},
		{ValidURL, "//evil.example/x", false},
		{ValidURL, "https://user:pw@example.org", false},
		{ValidURL, "https://exa mple.org", false},
		{ValidEmail, "info@comune.ancona.it", true},
		{ValidEmail, "Info <info@comune.ancona.it>", false},
		{ValidEmail, "javascript:alert(1)//@x", false},
		{ValidEmail, "info@localhost", false},
		{ValidPhone, "+39 071 000 0000", true},
		{ValidPhone, "071 222 3333", true},
		{ValidPhone, "333 123 4567", true},
		{ValidPhone, "800.123.456", true},
		{ValidPhone, "1522", true},
		{ValidPhone, "+44 20 7946 0000", true},
		{ValidPhone, "call me", false},
		{ValidPhone, "+0 123", false},
		{ValidPhone, "tel:+390710000000", false},
		{ValidPostalCode, "60121", true},
		{ValidPostalCode, "6012", false},
		{ValidPostalCode, "AN 60121", false},
	} {
		if err := tt.check("f", tt.value); (err == nil) != tt.ok {
			t.Errorf("%q: %v", tt.value, err)
		}
	}
}
