// Package mediation is cultural mediation on call, without HTTP: the
// registry of mediators (languages, territories, ways of working, weekly
// availability with exceptions), the public bodies and their requesters,
// requests and their states (requested → assigned → confirmed → done, or
// cancelled or declined), the mediators suggested for a request, the hours
// budgets per programme and territory, and the monthly report.
//
// Every change commits in one transaction with its audit entry
// (editorial's log) and the mail it causes (mail's outbox). The accounts
// are editorial's: a coordinator is limited to their territories like an
// editor, a mediator sees only their own assignments, a requester only
// their body's requests.
//
// It keeps its own tables (mediation_* migrations) in the portal's file;
// it must not import net/http, Fiber, kiosk, portal or relay.
package mediation
