package main

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// gracefulFailureMessage is what go-plugin 1.0.1's Client.Kill logs when the plugin did not exit within 2 s of
// Shutdown and had to be SIGKILLed.
const gracefulFailureMessage = "plugin failed to exit gracefully"

// logWatch forwards the host's hclog JSON lines to stderr and counts what the conformance checks need:
// plugin stderr lines that go-plugin parsed as hclog JSON (go-plugin adds a "timestamp" key to those, and only
// to those) and forced kills.
type logWatch struct {
	mu          sync.Mutex
	next        io.Writer
	pending     []byte
	parsedLines int
	forcedKills int
}

func newLogWatch(next io.Writer) *logWatch {
	return &logWatch{next: next}
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	for {
		nl := bytes.IndexByte(w.pending, '\n')
		if nl < 0 {
			break
		}
		w.inspect(w.pending[:nl])
		w.pending = w.pending[nl+1:]
	}
	return w.next.Write(p)
}

func (w *logWatch) inspect(line []byte) {
	var entry map[string]interface{}
	if json.Unmarshal(line, &entry) != nil {
		return
	}
	if _, ok := entry["timestamp"]; ok {
		w.parsedLines++
	}
	if msg, _ := entry["@message"].(string); msg == gracefulFailureMessage {
		w.forcedKills++
	}
}

func (w *logWatch) counts() (parsed, forcedKills int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.parsedLines, w.forcedKills
}

// lineCounter receives go-plugin's raw copy of the plugin's stderr (ClientConfig.Stderr) and counts lines.
type lineCounter struct {
	mu    sync.Mutex
	lines int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

func (c *lineCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lines
}
