package assets

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// alphabets lists, for each language's keyboard, every letter (and sign)
// its writing needs: each must be a key of the keyboard, or for Ge'ez a
// syllable of a consonant's family.
var alphabets = map[string]string{
	"latin": "abcdefghijklmnopqrstuvwxyz à è é ì ò ù",
	"it":    "abcdefghijklmnopqrstuvwxyz à è é ì ò ù",
	"en":    "abcdefghijklmnopqrstuvwxyz",
	"fr":    "abcdefghijklmnopqrstuvwxyz é è ê ë à â ç ù û ô î ï œ",
	"es":    "abcdefghijklmnopqrstuvwxyz ñ á é í ó ú ü",
	"ro":    "abcdefghijklmnopqrstuvwxyz ă â î ș ț",
	"sq":    "abcdefghijklmnopqrstuvwxyz ë ç",
	"ar":    "ا ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي ء أ إ آ ؤ ئ ة ى",
	"ur":    "ا آ ب پ ت ٹ ث ج چ ح خ د ڈ ذ ر ڑ ز ژ س ش ص ض ط ظ ع غ ف ق ک گ ل م ن ں و ہ ھ ء ی ے ئ",
	"fa":    "ا آ ب پ ت ث ج چ ح خ د ذ ر ز ژ س ش ص ض ط ظ ع غ ف ق ک گ ل م ن و ه ی ء ئ",
	"bn": "অ আ ই ঈ উ ঊ ঋ এ ঐ ও ঔ ক খ গ ঘ ঙ চ ছ জ ঝ ঞ ট ঠ ড ঢ ণ ত থ দ ধ ন প ফ ব ভ ম য র ল শ ষ স হ ড় ঢ় য় ৎ ং ঃ ঁ " +
		"া ি ী ু ূ ৃ ে ৈ ো ৌ ্",
	"pa": "ਅ ਆ ਇ ਈ ਉ ਊ ਏ ਐ ਓ ਔ ਸ ਹ ਕ ਖ ਗ ਘ ਙ ਚ ਛ ਜ ਝ ਞ ਟ ਠ ਡ ਢ ਣ ਤ ਥ ਦ ਧ ਨ ਪ ਫ ਬ ਭ ਮ ਯ ਰ ਲ ਵ ੜ ਸ਼ ਲ਼ " +
		"਼ ਾ ਿ ੀ ੁ ੂ ੇ ੈ ੋ ੌ ੰ ਂ ੱ ੍ ੲ",
	"ru": "а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я",
	"uk": "а б в г ґ д е є ж з и і ї й к л м н о п р с т у ф х ц ч ш щ ь ю я '",
	"zh": "abcdefghijklmnopqrstuwxyz v",
	// Tigrinya: the first and sixth orders of every consonant, the
	// syllables of ሓኪም (doctor) and ንኣብነት (for example), a labiovelar.
	"ti": "ሀ ህ ለ ል ሐ ሕ መ ም ረ ር ሰ ስ ሸ ሽ ቀ ቅ ቐ ቕ በ ብ ቨ ቭ ተ ት ቸ ች ነ ን ኘ ኝ አ እ ከ ክ ኸ ኽ ወ ው ዐ ዕ ዘ ዝ ዠ ዥ የ ይ ደ ድ ጀ ጅ ገ ግ " +
		"ጠ ጥ ጨ ጭ ጰ ጵ ጸ ጽ ፀ ፅ ፈ ፍ ፐ ፕ ሓ ኪ ኣ ቋ",
}

type layoutFile struct {
	Name     string              `json:"name"`
	Lang     string              `json:"lang"`
	Dir      string              `json:"dir"`
	Script   string              `json:"script"`
	IME      string              `json:"ime"`
	Layout   map[string][]string `json:"layout"`
	Families map[string]string   `json:"families"`
}

// TestKeyboardLayouts: the vendored layouts (tools/keyboards.cjs) give
// every language of the totem a keyboard that types its whole alphabet,
// with digits, space, backspace and search, and no tab, ".com" or "@".
func TestKeyboardLayouts(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	b, err := fs.ReadFile(Web(), "vendor/simple-keyboard/layouts.json")
	if err != nil {
		t.Fatal(err)
	}
	var layouts map[string]layoutFile
	if err := json.Unmarshal(b, &layouts); err != nil {
		t.Fatal(err)
	}
	for id, letters := range alphabets {
		l, ok := layouts[id]
		if !ok {
			t.Errorf("no keyboard for %s", id)
			continue
		}
		keys := map[string]bool{}
		for _, rows := range l.Layout {
			for _, row := range rows {
				for _, k := range strings.Fields(row) {
					keys[norm.NFC.String(k)] = true
					for _, syllable := range strings.Fields(l.Families[k]) {
						keys[syllable] = true
					}
				}
			}
		}
		for _, k := range []string{"{tab}", "{lock}", ".com", "@", "{//}"} {
			if keys[k] {
				t.Errorf("%s: a %s key", id, k)
			}
		}
		for _, k := range []string{"1", "0", "{bksp}", "{space}", "{enter}"} {
			if !keys[k] {
				t.Errorf("%s: no %s key", id, k)
			}
		}
		var missing []string
		for _, letter := range strings.Fields(letters) {
			for _, r := range splitLetters(letter) {
				if !keys[norm.NFC.String(r)] {
					missing = append(missing, r)
				}
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s (%s): no key types %s", id, l.Name, strings.Join(missing, " "))
		}
		if wantRTL := id == "ar" || id == "ur" || id == "fa"; wantRTL != (l.Dir == "rtl") {
			t.Errorf("%s: direction %q", id, l.Dir)
		}
	}
}

// splitLetters splits a run of Latin letters ("abc") into letters; any
// other field is one letter.
func splitLetters(s string) []string {
	if strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") != "" {
		return []string{s}
	}
	return strings.Split(s, "")
}
