// A Go peer for benches/load.sh, written the way seed 000's webhook Lambda
// does it: net/http, the standard library's HMAC-SHA256 compared with
// hmac.Equal, encoding/json into structs, and one structured log line per
// event on stdout.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
)

type envelope struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID        string            `json:"id"`
	Time      int64             `json:"time"`
	Changes   []change          `json:"changes"`
	Messaging []json.RawMessage `json:"messaging"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type logLine struct {
	Level     string          `json:"level"`
	Message   string          `json:"message"`
	AccountID string          `json:"account_id"`
	Field     string          `json:"field"`
	Value     json.RawMessage `json:"value"`
}

func main() {
	secret := []byte(os.Getenv("INSTAGRAM_APP_SECRET"))
	token := os.Getenv("INSTAGRAM_VERIFY_TOKEN")
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	out := json.NewEncoder(os.Stdout)

	http.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			if q.Get("hub.mode") == "subscribe" && q.Get("hub.verify_token") == token {
				io.WriteString(w, q.Get("hub.challenge"))
				return
			}
			w.WriteHeader(http.StatusForbidden)
		case http.MethodPost:
			body, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			signature := strings.TrimPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256=")
			received, err := hex.DecodeString(signature)
			mac := hmac.New(sha256.New, secret)
			mac.Write(body)
			if err != nil || !hmac.Equal(received, mac.Sum(nil)) {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var payload envelope
			if err := json.Unmarshal(body, &payload); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			for _, e := range payload.Entry {
				for _, c := range e.Changes {
					out.Encode(logLine{"info", "webhook event", e.ID, c.Field, c.Value})
				}
				for _, m := range e.Messaging {
					out.Encode(logLine{"info", "webhook event", e.ID, "messaging", m})
				}
			}
			io.WriteString(w, "EVENT_RECEIVED")
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
