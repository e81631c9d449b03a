package kiosk

// Language is a UI language as the language picker shows it: named in its
// own script, never with a flag.
type Language struct {
	Tag  string `json:"tag"`
	Name string `json:"name"`
	Dir  string `json:"dir"`
}

// Languages are the UI languages, in the order the picker shows them.
var Languages = []Language{
	{"it", "Italiano", "ltr"}, {"en", "English", "ltr"}, {"fr", "Français", "ltr"}, {"es", "Español", "ltr"},
	{"ar", "العربية", "rtl"}, {"ur", "اردو", "rtl"}, {"fa", "فارسی", "rtl"}, {"bn", "বাংলা", "ltr"},
	{"pa", "ਪੰਜਾਬੀ", "ltr"}, {"zh", "中文", "ltr"}, {"uk", "Українська", "ltr"}, {"ru", "Русский", "ltr"},
	{"ro", "Română", "ltr"}, {"sq", "Shqip", "ltr"}, {"ti", "ትግርኛ", "ltr"},
}

func dirOf(lang string) string {
	for _, l := range Languages {
		if l.Tag == baseTag(lang) {
			return l.Dir
		}
	}
	return "ltr"
}
