// Package portal is the editor back end of the regional portal: accounts
// and sessions, drafts of catalog records, publishing them through the
// change feed, translation status, previews and the audit log, as a JSON
// API under /editor/api (see API.md) beside the editor UI at /editor.
package portal
