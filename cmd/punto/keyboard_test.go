package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// The totem's on-screen keyboard in each language: the name its layout
// switch shows (the visitor's own first, then Latin; a Latin language has
// no switch), and letters of its own that must be keys.
var keyboards = []struct {
	lang    string
	names   []string
	letters []string
	rtl     bool
}{
	{"it", nil, []string{"à", "è", "é", "ì", "ò", "ù"}, false},
	{"en", nil, []string{"q", "w", "z"}, false},
	{"fr", nil, []string{"é", "è", "ç", "à", "ù"}, false},
	{"es", nil, []string{"ñ", "á", "é", "í", "ó", "ú"}, false},
	{"ro", nil, []string{"ă", "â", "î", "ș", "ț"}, false},
	{"sq", nil, []string{"ë", "ç"}, false},
	{"ar", []string{"العربية", "Latin"}, []string{"ا", "ض", "ذ", "أ"}, true},
	{"ur", []string{"اردو", "Latin"}, []string{"ی", "ے", "ہ", "ک", "گ"}, true},
	{"fa", []string{"فارسی", "Latin"}, []string{"پ", "چ", "ژ", "گ", "ی", "ک"}, true},
	{"bn", []string{"বাংলা", "Latin"}, []string{"ক", "ি", "অ"}, false},
	{"pa", []string{"ਪੰਜਾਬੀ", "Latin"}, []string{"ਕ", "ਿ", "ਸ"}, false},
	{"zh", []string{"中文", "Latin"}, []string{"y", "s", "h"}, false},
	{"ti", []string{"ትግርኛ", "Latin"}, []string{"ሀ", "ሐ", "ከ", "መ", "ፐ"}, false},
	{"uk", []string{"Українська", "Latin"}, []string{"і", "ї", "є", "ґ"}, false},
	{"ru", []string{"Русский", "Latin"}, []string{"ы", "э", "ъ", "ё"}, false},
}

// openSearch goes from any screen to the search screen in lang, the
// on-screen keyboard drawn.
func openSearch(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	must(t, ctx, browsertest.Click("#lang"), screen("languages"),
		browsertest.Click(fmt.Sprintf(`.lang[lang=%q]`, lang)), screen("home"),
		browsertest.Click(".tile.search"), screen("search"),
		browsertest.Visible(".pad .simple-keyboard .hg-button"))
}

// keyboardShape is what a test reads of the keyboard on screen.
type keyboardShape struct {
	Keys     []string // data-skbtn of each key
	Switch   []string // the layout switch's labels
	Outside  []string // controls of the keyboard above the screen's middle or below its bottom
	Small    []string // controls under 48 px either way
	Nameless []string // controls with no accessible name
	Dir      string   // the keys' direction
	Top      float64  // the keyboard's top edge
}

func readKeyboard(t *testing.T, ctx context.Context) keyboardShape {
	t.Helper()
	var k keyboardShape
	must(t, ctx, chromedp.Evaluate(`(() => {
		const pad = document.querySelector(".pad");
		const controls = [...pad.querySelectorAll("button")].filter(b => b.offsetParent !== null);
		const box = b => b.getBoundingClientRect();
		const what = b => (b.dataset.skbtn || b.textContent) + " " + JSON.stringify(box(b));
		return {
			Keys: [...pad.querySelectorAll(".hg-button")].map(b => b.dataset.skbtn),
			Switch: [...pad.querySelectorAll(".layouts button")].map(b => b.textContent),
			Outside: controls.filter(b => box(b).top < innerHeight / 2 || box(b).bottom > innerHeight + 0.5).map(what),
			Small: controls.filter(b => box(b).width < 47.5 || box(b).height < 47.5).map(what),
			Nameless: controls.filter(b => !(b.getAttribute("aria-label") || b.textContent).trim()).map(what),
			Dir: getComputedStyle(pad.querySelector(".simple-keyboard")).direction,
			Top: pad.getBoundingClientRect().top,
		};
	})()`, &k))
	return k
}

// TestKeyboardInEveryLanguage: on a 1080×1920 totem the search screen's
// keyboard is docked in the lower half, in the visitor's script with
// Latin one tap away, its switch named in each script, its keys big and
// named, right to left where the script is, with no tab, ".com" or "@";
// axe finds nothing serious with it open.
func TestKeyboardInEveryLanguage(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	ctx := browser(t, 1080, 1920)
	must(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screen("attract"), browsertest.Click(".attract"), screen("languages"),
		browsertest.Click(`.lang[lang="it"]`), screen("home"))
	for _, kb := range keyboards {
		t.Run(kb.lang, func(t *testing.T) {
			openSearch(t, ctx, kb.lang)
			k := readKeyboard(t, ctx)
			if len(k.Keys) < 30 {
				t.Fatalf("%d keys: %v", len(k.Keys), k.Keys)
			}
			if len(k.Outside) > 0 {
				t.Errorf("controls of the keyboard outside the lower half of the screen: %v", k.Outside)
			}
			if len(k.Small) > 0 {
				t.Errorf("keys under 48 px: %v", k.Small)
			}
			if len(k.Nameless) > 0 {
				t.Errorf("keys with no accessible name: %v", k.Nameless)
			}
			for _, key := range k.Keys {
				if key == "{tab}" || key == ".com" || key == "@" || key == "{lock}" {
					t.Errorf("a %s key", key)
				}
			}
			have := " " + strings.Join(k.Keys, " ") + " "
			for _, l := range kb.letters {
				if !strings.Contains(have, " "+l+" ") {
					t.Errorf("no %s key among %v", l, k.Keys)
				}
			}
			if strings.Join(k.Switch, "|") != strings.Join(kb.names, "|") {
				t.Errorf("layout switch %q, want %q", k.Switch, kb.names)
			}
			if want := map[bool]string{true: "rtl", false: "ltr"}[kb.rtl]; k.Dir != want {
				t.Errorf("keys run %s, want %s", k.Dir, want)
			}
			var text string
			must(t, ctx, chromedp.Evaluate(`document.querySelector(".pad").innerText`, &text))
			if strings.ContainsAny(text, "⇥@") || strings.Contains(text, ".com") {
				t.Errorf("the keyboard shows %q", text)
			}
			// The results stay in sight above the keyboard: the page (which
			// scrolls inside the reach zone, down to the navigation bar)
			// keeps room for it below the search box and what it finds.
			var room bool
			const page = `document.querySelector("#view > .page")`
			err := chromedp.Run(ctx, browsertest.Poll(`parseFloat(getComputedStyle(`+page+`).paddingBottom) >= `+page+`.getBoundingClientRect().bottom - document.querySelector(".pad").getBoundingClientRect().top`,
				&room, chromedp.WithPollingTimeout(2*time.Second)))
			if err != nil || !room {
				var pad float64
				must(t, ctx, chromedp.Evaluate(`parseFloat(getComputedStyle(`+page+`).paddingBottom)`, &pad))
				t.Errorf("the page keeps %.0f px below its content for a keyboard %.0f px high", pad, 1920-k.Top)
			}
			if len(kb.names) > 1 {
				// Latin is one tap away, and the visitor's script one tap back.
				must(t, ctx, browsertest.Click(`.pad .layouts [data-layout="latin"]`),
					browsertest.Visible(`.pad [data-skbtn="q"]`))
				if l := readKeyboard(t, ctx); len(l.Outside)+len(l.Small)+len(l.Nameless) > 0 || l.Dir != "ltr" {
					t.Errorf("Latin: outside %v, small %v, nameless %v, direction %s", l.Outside, l.Small, l.Nameless, l.Dir)
				}
				must(t, ctx, browsertest.Click(fmt.Sprintf(`.pad .layouts [data-layout=%q]`, kb.lang)),
					browsertest.Visible(fmt.Sprintf(`.pad [data-skbtn=%q]`, kb.letters[0])))
			}
			switch kb.lang {
			case "zh", "ti", "ar", "pa":
				browsertest.Screenshot(t, ctx, "totem-keyboard-"+kb.lang)
			}
			axeCheck(t, ctx, "keyboard "+kb.lang)
		})
	}
	// Larger text keeps the keyboard in the lower half.
	t.Run("larger text", func(t *testing.T) {
		openSearch(t, ctx, "bn")
		must(t, ctx, browsertest.Click("#big"), browsertest.Click(`.pad [data-skbtn="{shift}"]`))
		if k := readKeyboard(t, ctx); len(k.Outside)+len(k.Small) > 0 {
			t.Errorf("larger text: outside %v, small %v", k.Outside, k.Small)
		}
		browsertest.Screenshot(t, ctx, "totem-keyboard-bn-larger-shift")
	})
}

// TestKeyboardTypesChineseAndTigrinya: 医生 typed in pinyin (y i s h e n g,
// then the candidate) and ሓኪም typed in Ge'ez (consonant, then its
// vowel order) land in the search box and are searched for.
func TestKeyboardTypesChineseAndTigrinya(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	ctx := browser(t, 1080, 1920)
	must(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screen("attract"), browsertest.Click(".attract"), screen("languages"),
		browsertest.Click(`.lang[lang="zh"]`), screen("home"),
		browsertest.Click(".tile.search"), screen("search"),
		browsertest.Visible(`.pad [data-skbtn="y"]`))

	tap := func(keys ...string) {
		t.Helper()
		for _, key := range keys {
			must(t, ctx, browsertest.Click(fmt.Sprintf(`.pad [data-skbtn=%q]`, key)))
		}
	}
	choose := func(text string) {
		t.Helper()
		var ok bool
		must(t, ctx, browsertest.Poll(fmt.Sprintf(`[...document.querySelectorAll(".pad .choice")].some(b => b.textContent === %q)`, text), &ok,
			chromedp.WithPollingTimeout(5*time.Second)))
		must(t, ctx, chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll(".pad .choice")].find(b => b.textContent === %q).dataset.pick = "1"`, text), nil),
			browsertest.Click(`.pad .choice[data-pick]`))
	}
	typed := func(want string) {
		t.Helper()
		var got string
		must(t, ctx, chromedp.Value("#q", &got, chromedp.ByQuery))
		if got != want {
			t.Errorf("the search box has %q, want %q", got, want)
		}
		// The query reached the search.
		var searched bool
		err := chromedp.Run(ctx, browsertest.Poll(fmt.Sprintf(`performance.getEntriesByType("resource").some(e => e.name.includes("/api/v1/search?") && new URL(e.name).searchParams.get("q") === %q)`, want),
			&searched, chromedp.WithPollingTimeout(5*time.Second)))
		if err != nil || !searched {
			var asked []string
			must(t, ctx, chromedp.Evaluate(`performance.getEntriesByType("resource").filter(e => e.name.includes("/api/v1/search?")).map(e => new URL(e.name).searchParams.get("q"))`, &asked))
			t.Errorf("no search for %q; searched for %q (%v)", want, asked, err)
		}
		findsHealthService(t, ctx, want)
	}

	// Pinyin: the letters gather above the keys, with what they spell.
	tap("y", "i", "s", "h", "e", "n", "g")
	var letters string
	must(t, ctx, chromedp.Text(".pad .letters", &letters, chromedp.ByQuery))
	if letters != "yisheng" {
		t.Errorf("pinyin row shows %q", letters)
	}
	var first string
	must(t, ctx, browsertest.Poll(`document.querySelector(".pad .choice")?.textContent`, &first, chromedp.WithPollingTimeout(5*time.Second)))
	if first != "医生" {
		t.Errorf("first candidate for yisheng: %q", first)
	}
	browsertest.Screenshot(t, ctx, "totem-keyboard-zh-yisheng")
	axeCheck(t, ctx, "pinyin candidates")
	choose("医生")
	typed("医生")
	var left bool
	must(t, ctx, chromedp.Evaluate(`document.querySelector(".pad .letters").hidden && !document.querySelector(".pad .choice")`, &left))
	if !left {
		t.Error("letters or candidates left after choosing 医生")
	}
	browsertest.Screenshot(t, ctx, "totem-keyboard-zh-typed")

	// The other words a newcomer looks for come first for their pinyin
	// (the dictionary as the page loads it).
	var missing []string
	must(t, ctx, chromedp.Evaluate(`(async () => {
		const app = document.querySelector('script[type="module"]').src;
		const kb = await import(app.replace(/app\.js$/, "keyboard.js"));
		const dict = kb.pinyinDictionary(await (await fetch(app.replace(/app\.js$/, "vendor/simple-keyboard/pinyin.json"))).json());
		const want = {yisheng: "医生", gongzuo: "工作", yiyuan: "医院", lvshi: "律师", fanyi: "翻译", xuexiao: "学校", fangzi: "房子",
			qianzheng: "签证", juliu: "居留", juliuzheng: "居留证", yish: "医生", ys: "医生", yishengzhan: "医生"};
		return Object.entries(want).filter(([py, w]) => !kb.pinyinCandidates(py, dict).slice(0, 3).some(c => c.text === w)).map(([py, w]) => py + " " + w);
	})()`, &missing, func(p *runtimeEvaluate) *runtimeEvaluate { return p.WithAwaitPromise(true) }))
	if len(missing) > 0 {
		t.Errorf("not among the first three candidates: %v", missing)
	}

	// Ge'ez: a consonant, then its order in the row of its family.
	must(t, ctx, browsertest.Click("#lang"), screen("languages"),
		browsertest.Click(`.lang[lang="ti"]`), screen("home"),
		browsertest.Click(".tile.search"), screen("search"),
		browsertest.Visible(`.pad [data-skbtn="ሐ"]`))
	tap("ሐ")
	var family []string
	must(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll(".pad .choice")].map(b => b.textContent)`, &family))
	if got := strings.Join(family, " "); !strings.HasPrefix(got, "ሐ ሑ ሒ ሓ ሔ ሕ ሖ") {
		t.Errorf("the family of ሐ: %s", got)
	}
	browsertest.Screenshot(t, ctx, "totem-keyboard-ti-family")
	axeCheck(t, ctx, "ge'ez family")
	choose("ሓ")
	tap("ከ")
	choose("ኪ")
	tap("መ")
	choose("ም")
	typed("ሓኪም")
	browsertest.Screenshot(t, ctx, "totem-keyboard-ti-typed")
}

// findsHealthService fails unless searching for q finds a health service.
func findsHealthService(t *testing.T, ctx context.Context, q string) {
	t.Helper()
	var found bool
	must(t, ctx, chromedp.Evaluate(fmt.Sprintf(`fetch("/api/v1/search?q=" + encodeURIComponent(%q) + "&lang=" + document.documentElement.lang)
		.then(r => r.json()).then(d => d.results.some(r => r.categories.includes("health")))`, q), &found,
		func(p *runtimeEvaluate) *runtimeEvaluate { return p.WithAwaitPromise(true) }))
	if !found {
		t.Errorf("searching for %q finds no health service", q)
	}
}
