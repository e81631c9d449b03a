package editorial

import (
	"strings"

	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
)

// Password rules.
const (
	MinPasswordLen = 12  // characters
	MaxPasswordLen = 256 // characters: longer is a mistake or an attack
)

// HashCost is argon2id's cost. Each hash records its own, so raising it
// later leaves existing hashes valid.
type HashCost struct {
	MemoryKiB uint32
	Passes    uint32
}

// DefaultHashCost is OWASP's recommendation: 19 MiB, 2 passes (1 lane).
var DefaultHashCost = HashCost{MemoryKiB: 19456, Passes: 2}

// argonParams are a hash's parameters as its PHC string records them.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
}

// hashSlots bounds the argon2 hashes computed at once: each takes its
// memory parameter in RAM.
var hashSlots = make(chan struct{}, 4)

const (
	saltLen = 16
	keyLen  = 32
)

var errBadHash = errors.New("editorial: malformed password hash")

// minGuessScore is the least zxcvbn score a password needs (0 to 4): 3
// is about 10^8 guesses or more. zxcvbn (github.com/trustelem/zxcvbn,
// MIT) ships frequency lists of common passwords, words and names, and
// finds repeats, sequences and keyboard walks.
const minGuessScore = 3

// CheckPassword enforces the password policy (ASVS 2.1): 12 to 128
// characters; not a common password, nor made of them, nor of repeated or
// sequential characters or a keyboard walk; not containing the account's
// name (nor, for an e-mail address, the part before @).
func CheckPassword(pw, name string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return errors.New("is not valid UTF-8")
	case n < MinPasswordLen:
		return fmt.Errorf("must have at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("must have at most %d characters", MaxPasswordLen)
	}
	lower := strings.ToLower(pw)
	var inputs []string
	for _, part := range []string{NormalizeName(name), strings.SplitN(NormalizeName(name), "@", 2)[0]} {
		if utf8.RuneCountInString(part) >= 3 {
			if strings.Contains(lower, part) {
				return errors.New("must not contain the account's name")
			}
			inputs = append(inputs, part)
		}
	}
	if r := zxcvbn.PasswordStrength(pw, inputs); r.Score < minGuessScore {
		return errors.New("is too easy to guess: a common password, a word with digits, repeated or sequential characters; a few unrelated words make a good one")
	}
	return nil
}

func argonKey(pw string, salt []byte, p argonParams, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, n)
}

// hashPassword returns the argon2id hash of pw as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$salt$key (unpadded standard base64).
func (s *Store) hashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := argonParams{memory: s.hash.MemoryKiB, time: s.hash.Passes, threads: 1}
	key := argonKey(pw, salt, p, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether pw matches the PHC string, comparing in
// constant time.
func verifyPassword(phc, pw string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return false, errBadHash
	}
	if p.memory < 8 || p.memory > 1<<21 || p.time < 1 || p.time > 16 || p.threads < 1 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, errBadHash
	}
	got := argonKey(pw, salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names no account, so that
// the answer takes as long as for a real one.
var dummyHash = sync.OnceValue(func() string {
	s := &Store{hash: DefaultHashCost}
	h, err := s.hashPassword("not a password of anyone")
	if err != nil {
		panic(err)
	}
	return h
})

// GeneratePassword returns a new random password: 26 characters of base32
// (128 bits from crypto/rand), for an account created or reset without one.
func GeneratePassword() string { return rand.Text() }
