// Package voice reads the totem's texts aloud: it runs espeak-ng (offline,
// as a subprocess with a time limit) to make WAV audio of a text in one of
// the screens' languages, and keeps what it made in a cache on disk, keyed
// by a hash of text, language and voice and bounded in size (the least
// recently used files go first). Two requests for the same text share one
// run.
//
// It knows nothing of where texts come from: the HTTP face (kiosk) takes
// only references to texts the totem holds, never text from a request.
package voice
