package main

import (
	"errors"
	"strconv"

	"github.com/punto-totem/punto/kiosk"
)

// optionalFloat is a number flag that may stay unset (nil), for a setting
// whose default the screen chooses (the reach zone depends on whether it
// stands portrait or landscape) or that has none (which way a totem
// faces).
type optionalFloat struct{ p **float64 }

func (o optionalFloat) String() string {
	if o.p == nil || *o.p == nil {
		return ""
	}
	return strconv.FormatFloat(**o.p, 'g', -1, 64)
}

func (o optionalFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("must be a number")
	}
	*o.p = &v
	return nil
}

// Get makes the config file ask for a TOML number (config.go).
func (o optionalFloat) Get() any { return float64(0) }

// The reach zone's defaults when the flags are unset, as the screen
// applies them (assets/web/lib/reach.js): on a portrait totem the lower 60%
// of the screen; on a landscape one, whose screen is shorter and hangs
// lower, the lower 65%.
const (
	defaultReachTop    = 0.4
	defaultReachBottom = 1.0
)

// checkScreen validates the settings of the totem's screen: the reach zone
// (fractions of the screen's height from its top, 0 <= top < bottom <= 1)
// and the facing (degrees clockwise from north, 0 <= facing < 360).
func (cfg *TotemConfig) checkScreen() error {
	top, bottom := defaultReachTop, defaultReachBottom
	if cfg.ReachTop != nil {
		top = *cfg.ReachTop
		if !(top >= 0 && top < 1) {
			return usagef("totem: --reach-top must be a fraction of the screen's height from 0 up to (not including) 1")
		}
	}
	if cfg.ReachBottom != nil {
		bottom = *cfg.ReachBottom
		if !(bottom > 0 && bottom <= 1) {
			return usagef("totem: --reach-bottom must be a fraction of the screen's height above 0, up to 1")
		}
	}
	if !(top < bottom) {
		return usagef("totem: --reach-top (%g) must be above --reach-bottom (%g): the zone runs from top to bottom", top, bottom)
	}
	if cfg.Facing != nil && !(*cfg.Facing >= 0 && *cfg.Facing < 360) {
		return usagef("totem: --facing must be in degrees clockwise from north, from 0 up to (not including) 360")
	}
	return nil
}

// screenConfig is what the page needs of the totem's screen.
func (cfg *TotemConfig) screenConfig() kiosk.Screen {
	return kiosk.Screen{ReachTop: cfg.ReachTop, ReachBottom: cfg.ReachBottom, Facing: cfg.Facing}
}
