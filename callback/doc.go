// Package callback is "call me back": a visitor at a totem or on a phone
// leaves a phone number, a language and a topic, and the coordinators and
// mediators of that language and territory call back. The number is
// encrypted at rest with a key kept outside the database file (AES-256-GCM;
// a keyed hash of it, never the number, counts the calls per number and
// day); a request is deleted, not archived, when it is closed or after the
// retention. Only an aggregate count per day, language, topic and
// territory stays, for the needs figures.
//
// It keeps its own tables (callback_* migrations) in the portal's file and
// must not import net/http or Fiber.
package callback
