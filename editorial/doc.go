// Package editorial is the editors' side of the portal, without HTTP:
// accounts and their passwords, sessions, login limits per name, drafts of
// catalog records, translation sources, the access rules of each role, the
// audit log, and publishing drafts through the change feed in one
// transaction with their audit entries.
//
// It keeps its own tables (editorial_* migrations) in the catalog's file
// and returns its own error values; it must not import net/http, Fiber,
// kiosk, portal or relay.
package editorial
