package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func tile38Path(q query, withCategory bool) string {
	key := "all"
	if withCategory {
		key = "cat:" + q.category
	}
	return fmt.Sprintf("/NEARBY+%s+LIMIT+20+POINT+%.6f+%.6f+10000", key, q.lat, q.lon)
}

// startTile38 starts tile38-server and loads the catalog's points over
// RESP: every service at a location in "all", and in "cat:CATEGORY" for
// each of its categories.
func startTile38(bin, db string) (*proc, int, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, 0, err
	}
	data, err := os.MkdirTemp("", "httpbench-tile38-")
	if err != nil {
		return nil, 0, 0, err
	}
	cmd := exec.Command(bin, "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-d", data, "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	p := &proc{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := waitReady(p.base+"/PING", time.Minute); err != nil {
		p.stop()
		return nil, 0, 0, err
	}
	start := time.Now()
	n, err := loadTile38(port, db)
	if err != nil {
		p.stop()
		return nil, 0, 0, err
	}
	return p, n, time.Since(start), nil
}

func loadTile38(port int, db string) (int, error) {
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	d, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer func() { _ = d.Close() }()
	rows, err := d.Query(`SELECT sal.service_id || '@' || l.id, (r.ymin + r.ymax) / 2, (r.xmin + r.xmax) / 2,
			(SELECT group_concat(c.category_id) FROM service_category c WHERE c.service_id = sal.service_id)
		FROM service_at_location sal JOIN location l ON l.id = sal.location_id JOIN service sv ON sv.id = sal.service_id
		JOIN idx_location_geom r ON r.pkid = l.pk WHERE sv.status != 'withdrawn'`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	w := bufio.NewWriterSize(conn, 1<<20)
	rd := bufio.NewReaderSize(conn, 1<<20)
	pending, total := 0, 0
	drain := func() error {
		if err := w.Flush(); err != nil {
			return err
		}
		for ; pending > 0; pending-- {
			line, err := rd.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, "+") {
				return fmt.Errorf("tile38: %s", strings.TrimSpace(line))
			}
		}
		return nil
	}
	send := func(args ...string) {
		fmt.Fprintf(w, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(w, "$%d\r\n%s\r\n", len(a), a)
		}
		pending++
		total++
	}
	for rows.Next() {
		var id, cats string
		var lat, lon float64
		if err := rows.Scan(&id, &lat, &lon, &cats); err != nil {
			return 0, err
		}
		la, lo := strconv.FormatFloat(lat, 'f', -1, 64), strconv.FormatFloat(lon, 'f', -1, 64)
		send("SET", "all", id, "POINT", la, lo)
		for _, c := range strings.Split(cats, ",") {
			send("SET", "cat:"+c, id, "POINT", la, lo)
		}
		if pending >= 10000 {
			if err := drain(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return total, drain()
}
