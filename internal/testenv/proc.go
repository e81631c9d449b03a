package testenv

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopWait is how long Stop waits after SIGTERM before it kills.
const stopWait = 20 * time.Second

// Proc is a process of a test. Its output (standard output and error,
// line by line) is kept; it is stopped with the test, and its output is
// logged when the test failed.
type Proc struct {
	Name string
	Cmd  *exec.Cmd

	done chan struct{}
	mu   sync.Mutex
	out  bytes.Buffer
}

// Start starts cmd (its Stdout and Stderr are set here). When
// cmd.SysProcAttr asks for a process group of its own, whatever is left of
// the group is killed with the test too.
func Start(t testing.TB, name string, cmd *exec.Cmd) *Proc {
	t.Helper()
	return StartHook(t, name, cmd, nil)
}

// StartHook is Start calling hook with every output line as it comes,
// before anything else sees it.
func StartHook(t testing.TB, name string, cmd *exec.Cmd, hook func(p *Proc, line string)) *Proc {
	t.Helper()
	p := &Proc{Name: name, Cmd: cmd, done: make(chan struct{})}
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if hook != nil {
				hook(p, line)
			}
			p.mu.Lock()
			p.out.WriteString(line + "\n")
			p.mu.Unlock()
		}
		io.Copy(io.Discard, r) // a line too long for the scanner
	}()
	go func() {
		cmd.Wait()
		w.Close()
		close(p.done)
	}()
	group := cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid
	t.Cleanup(func() {
		p.Stop()
		if group {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		if t.Failed() {
			t.Logf("--- %s output:\n%s", p.Name, p.Output())
		}
	})
	return p
}

// StartPunto starts the punto binary (see Binary) with args.
func StartPunto(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	return Start(t, name, exec.Command(Binary(t), args...))
}

// StartPuntoHook is StartPunto with a hook on every output line, as in
// StartHook.
func StartPuntoHook(t testing.TB, name string, hook func(p *Proc, line string), args ...string) *Proc {
	t.Helper()
	return StartHook(t, name, exec.Command(Binary(t), args...), hook)
}

// RunPunto runs the punto binary with args and stdin to completion and
// returns its standard output; it fails the test on a non-zero exit.
func RunPunto(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("punto %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// Output is what the process has written so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Done is closed when the process has ended.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitCode is the exit status of the ended process (-1 when a signal
// ended it, or when it is still running).
func (p *Proc) ExitCode() int {
	if !p.Exited() {
		return -1
	}
	return p.Cmd.ProcessState.ExitCode()
}

// Stop ends the process gracefully (SIGTERM) and waits for it; it kills it
// when it has not ended after 20 s.
func (p *Proc) Stop() {
	if p.Exited() {
		return
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopWait):
		p.Cmd.Process.Kill()
		<-p.done
	}
}

// Kill ends the process at once, as a power cut would, and waits for it.
func (p *Proc) Kill() {
	p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}
