package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CUPS is a private CUPS server of one test, with one CUPS-PDF queue.
type CUPS struct {
	Server string // host:port, for lp -h
	Queue  string // the CUPS-PDF queue
	Out    string // the folder CUPS-PDF writes each job's PDF to
	// Offline is a raw queue whose printer (a socket on a port nobody
	// listens on) never answers: its jobs stay queued.
	Offline string
	Proc    *Proc
}

// cupsPPD is the CUPS-PDF printer's description (printer-driver-cups-pdf).
const cupsPPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"

// StartCUPS starts cupsd (Debian cups) in the foreground on a free
// loopback port, with its own configuration, spool and state under the
// test's temporary folder, and a CUPS-PDF queue (Debian
// printer-driver-cups-pdf) writing into Out. cupsd and the CUPS-PDF
// backend run as root (as on CI); as another user the test is skipped,
// saying so. CUPS-PDF reads its settings from /etc/cups only: the queue
// is an instance of its own (cups-pdf:/NAME reads
// /etc/cups/cups-pdf-NAME.conf), whose file is removed with the test.
//
// CUPS-PDF takes PostScript, which ghostscript turns back into a PDF:
// CUPS first makes PostScript of a PDF job with its pdftops filter, and
// the queue has it use the pdftocairo renderer, which keeps the text's
// Unicode (poppler's pdftops and ghostscript's ps2write keep the glyphs
// only), so that pdftotext can read the PDF back. Arabic then comes back
// as presentation forms: compare after NFKC.
func StartCUPS(t testing.TB) *CUPS {
	t.Helper()
	needCUPS(t)
	dir := t.TempDir()
	// The spool and temporary folders are reached by the filters, which
	// cupsd runs as the lp user (the test's folders are private to root).
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := &CUPS{Server: FreeAddr(t), Queue: "punto-pdf", Out: filepath.Join(dir, "out"), Offline: "punto-offline"}
	root, logs := c.configure(t, dir)
	c.Proc = Start(t, "cupsd", exec.Command("/usr/sbin/cupsd", "-f", "-c", filepath.Join(root, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf")))
	t.Cleanup(func() {
		if t.Failed() {
			files, _ := filepath.Glob(filepath.Join(logs, "*_log"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				t.Logf("--- %s:\n%s", filepath.Base(f), b)
			}
			out, _ := filepath.Glob(filepath.Join(c.Out, "*"))
			t.Logf("--- in %s: %v", c.Out, out)
		}
	})
	Eventually(t, 20*time.Second, "cupsd answering with the queue "+c.Queue+" ready", func() bool {
		out, err := exec.Command("lpstat", "-h", c.Server, "-p", c.Queue).Output()
		return err == nil && strings.Contains(string(out), "enabled")
	})
	return c
}

// needCUPS fails the test without cupsd, CUPS-PDF and lp, and skips it
// unless it runs as root.
func needCUPS(t testing.TB) {
	t.Helper()
	for _, need := range []struct{ file, pkg string }{
		{"/usr/sbin/cupsd", "cups"}, {"/usr/lib/cups/backend/cups-pdf", "printer-driver-cups-pdf"}, {cupsPPD, "printer-driver-cups-pdf"},
	} {
		if _, err := os.Stat(need.file); err != nil {
			t.Fatalf("%s is missing: install the Debian package %s (make deps does this)", need.file, need.pkg)
		}
	}
	if _, err := exec.LookPath("lp"); err != nil {
		t.Fatal("lp is missing: install the Debian package cups-client (make deps does this)")
	}
	if os.Geteuid() != 0 {
		t.Skip("cupsd and its CUPS-PDF backend run as root only: run this test as root (CI does)")
	}
}

// configure writes the server's configuration under dir: its folders,
// the two queues and the CUPS-PDF instance. It returns the server root
// and the log folder.
func (c *CUPS) configure(t testing.TB, dir string) (root, logs string) {
	t.Helper()
	instance := "punto-test-" + filepath.Base(dir)
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root, spool, tmp, logs := mk("conf", 0o755), mk("spool", 0o710), mk("tmp", 0o1777), mk("log", 0o755)
	mk("conf/ppd", 0o755)
	mk("out", 0o1777)
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "cups-files.conf"), strings.Join([]string{
		"ServerRoot " + root, "RequestRoot " + spool, "TempDir " + tmp,
		"CacheDir " + mk("cache", 0o770), "StateDir " + mk("state", 0o755),
		"ErrorLog " + filepath.Join(logs, "error_log"), "AccessLog " + filepath.Join(logs, "access_log"),
		"PageLog " + filepath.Join(logs, "page_log"), "FileDevice No", "Sandboxing Relaxed", "",
	}, "\n"))
	write(filepath.Join(root, "cupsd.conf"), strings.Join([]string{
		"Listen " + c.Server, "LogLevel warn", "Browsing No", "WebInterface No", "DefaultAuthType None",
		"<Location />", "  Order allow,deny", "  Allow all", "</Location>",
		"<Policy default>", "  <Limit All>", "    Order deny,allow", "  </Limit>", "</Policy>", "",
	}, "\n"))
	write(filepath.Join(root, "printers.conf"), strings.Join([]string{
		"<DefaultPrinter " + c.Queue + ">", "Info Punto test (CUPS-PDF)", "DeviceURI cups-pdf:/" + instance,
		"State Idle", "Accepting Yes", "Option pdftops-renderer-default pdftocairo", "Shared No", "</Printer>",
		"<Printer " + c.Offline + ">", "Info Punto test (a printer that never answers)", "DeviceURI socket://" + FreeAddr(t),
		"State Idle", "Accepting Yes", "Shared No", "</Printer>", "",
	}, "\n"))
	ppd, err := os.ReadFile(cupsPPD)
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(root, "ppd", c.Queue+".ppd"), string(ppd))
	pdfConf := "/etc/cups/cups-pdf-" + instance + ".conf"
	t.Cleanup(func() { os.Remove(pdfConf) })
	write(pdfConf, strings.Join([]string{
		"Out " + c.Out, "AnonDirName " + c.Out, "Spool " + mk("cups-pdf-spool", 0o1777), "Label 2", "Log " + logs, "",
	}, "\n"))
	return root, logs
}

// PDFs lists the PDFs CUPS-PDF has written so far.
func (c *CUPS) PDFs() []string {
	files, _ := filepath.Glob(filepath.Join(c.Out, "*.pdf"))
	return files
}

// WaitJob waits until CUPS has completed the job (lp's request ID), so
// that CUPS-PDF has written its whole PDF, and returns the PDF's path.
func (c *CUPS) WaitJob(t testing.TB, job string) string {
	t.Helper()
	Eventually(t, 60*time.Second, "CUPS completing job "+job, func() bool {
		out, err := exec.Command("lpstat", "-h", c.Server, "-W", "completed", "-o", c.Queue).Output()
		return err == nil && strings.Contains(string(out)+" ", job+" ")
	})
	_, n, _ := strings.Cut(job, c.Queue+"-")
	var file string
	Eventually(t, 10*time.Second, "CUPS-PDF's file of job "+job+" in "+c.Out, func() bool {
		// CUPS-PDF names it TITLE-job_N.pdf (Label 2).
		files, _ := filepath.Glob(filepath.Join(c.Out, "*-job_"+n+".pdf"))
		if len(files) == 1 {
			file = files[0]
		}
		return file != ""
	})
	return file
}
