package main

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// totemSearch is what a totem's search answers: the concepts understood
// and the services found with their categories.
type totemSearch struct {
	Matched []totemMatch `json:"matched"`
	Results []struct {
		ID         string   `json:"id"`
		Categories []string `json:"categories"`
	} `json:"results"`
}

type totemMatch struct {
	Concept  string `json:"concept"`
	Category string `json:"category"`
}

// names says whether the search understood concept.
func (s *totemSearch) names(concept string) bool {
	return slices.ContainsFunc(s.Matched, func(m totemMatch) bool { return m.Concept == concept })
}

// lexiconTermReachesTotem: a term an editor adds to the lexicon on the
// portal reaches the totem through the signed feed: the totem's search
// finds the concept's services by it; removed, it no longer does.
func lexiconTermReachesTotem(t *testing.T, n *network, a *totemProc) {
	const word = "zorvadik"
	search := a.base + "/api/v1/search?" + url.Values{"q": {word}, "lang": {"pa"}}.Encode()
	var before totemSearch
	testenv.GetJSON(t, search, &before)
	if before.names("doctor") {
		t.Fatalf("%s names a doctor before the term: %+v", word, before.Matched)
	}

	ed := loginEditor(t, n.portalURL, "editor-ancona", editorPassword)
	// The editor looks the word up, adds it, and sees which concept it joins.
	term := map[string]any{"concept": "doctor", "lang": "pa", "term": word}
	code, body := ed.do("PUT", "/editor/api/lexicon/terms", term)
	var put struct {
		Seq int64 `json:"seq"`
	}
	if code != 200 || json.Unmarshal(body, &put) != nil || put.Seq == 0 {
		t.Fatalf("put: %d %s", code, body)
	}
	code, body = ed.do("GET", "/editor/api/lexicon/lookup?"+url.Values{"term": {word}, "lang": {"pa"}}.Encode(), nil)
	var look totemSearch
	if code != 200 || json.Unmarshal(body, &look) != nil || !look.names("doctor") {
		t.Errorf("lookup on the portal: %d %s", code, body)
	}

	waitSeq(t, a.base, put.Seq)
	if d, p := feedOf(t, a.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != p {
		t.Error("the totem's catalog differs from the portal's after the term")
	}
	var after totemSearch
	testenv.GetJSON(t, search, &after)
	if !after.names("doctor") || len(after.Results) == 0 {
		t.Fatalf("on the totem after the term: matched %+v, %d results", after.Matched, len(after.Results))
	}
	for _, r := range after.Results {
		if !slices.Contains(r.Categories, "health") {
			t.Errorf("%s (%v) found for a doctor", r.ID, r.Categories)
		}
	}

	if code, body := ed.do("DELETE", "/editor/api/lexicon/terms", term); code != 200 {
		t.Fatalf("delete: %d %s", code, body)
	}
	testenv.Eventually(t, 20*time.Second, "the totem forgets the term", func() bool {
		var s totemSearch
		testenv.GetJSON(t, search, &s)
		return !s.names("doctor")
	})
}
