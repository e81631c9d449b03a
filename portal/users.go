package portal

import (
	"context"
	"errors"
	"time"

	"github.com/punto-totem/punto/content"
)

// cliPortal is the part of the portal the command line needs: the store's
// tables, no HTTP.
func cliPortal(st *content.Store) *portal {
	p := &portal{st: st, now: func() time.Time { return time.Now().UTC() }}
	p.w, p.r = st.PortalDB()
	return p
}

// Users lists every account of the catalog file of st, by name.
func Users(ctx context.Context, st *content.Store) ([]Account, error) {
	as, err := cliPortal(st).accounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(as))
	for i, a := range as {
		out[i] = *a
	}
	return out, nil
}

// DisableUser disables an account by name and ends its sessions; the
// account stays, since the audit log names it.
func DisableUser(ctx context.Context, st *content.Store, name string) error {
	err := cliPortal(st).disableAccount(ctx, "command line", name)
	if errors.Is(err, errNoAccount) {
		return errors.New("portal: no account named " + normalizeName(name))
	}
	return err
}
