// A merchant's whole integration with Paydesk, in Go's standard library only.
//
// Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
// verifies the `order.paid` webhook, reads the order back, refunds part of it and
// verifies `refund.succeeded`. With a test key the payment is made through the sandbox
// bank by the gateway's test helper; with a live key it waits for a shopper.
//
//	PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... go run .
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	waitFor   = 60 * time.Second
	tolerance = 300
)

var (
	apiURL      = strings.TrimSuffix(env("PAYDESK_API_URL", "http://127.0.0.1:8080"), "/")
	secretKey   = os.Getenv("PAYDESK_SECRET_KEY")
	returnURL   = env("PAYDESK_RETURN_URL", "http://127.0.0.1:8082/checkout/complete")
	webhookHost = env("PAYDESK_WEBHOOK_HOST", "127.0.0.1")
	client      = &http.Client{Timeout: 30 * time.Second}
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// PaydeskError is a refusal from the API: Code is stable, Message is for people.
type PaydeskError struct {
	Status  int
	Code    string
	Message string
}

func (e *PaydeskError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

type Order struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Total     string `json:"total"`
	Currency  string `json:"currency"`
	HostedURL string `json:"hosted_url"`
}

type Refund struct {
	ID       string `json:"id"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Status   string `json:"status"`
}

type Event struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		Order  *Order  `json:"order"`
		Refund *Refund `json:"refund"`
	} `json:"data"`
}

// subject is the id of what the event is about: the refund of a refund event, else
// the order.
func (e Event) subject() string {
	switch {
	case strings.HasPrefix(e.Type, "refund.") && e.Data.Refund != nil:
		return e.Data.Refund.ID
	case e.Data.Order != nil:
		return e.Data.Order.ID
	}
	return ""
}

// call makes one API request and decodes the answer into out; it retries while the
// same key is still in flight (409) or the client is rate limited.
func call(method, path string, body any, idempotencyKey string, out any) (int, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, err
		}
	}
	for attempt := 0; attempt < 5; attempt++ {
		request, err := http.NewRequest(method, apiURL+path, bytes.NewReader(payload))
		if err != nil {
			return 0, err
		}
		request.Header.Set("Authorization", "Bearer "+secretKey)
		if body != nil {
			request.Header.Set("Content-Type", "application/json")
		}
		if idempotencyKey != "" {
			request.Header.Set("Idempotency-Key", idempotencyKey)
		}
		response, err := client.Do(request)
		if err != nil {
			return 0, err
		}
		answer, err := io.ReadAll(response.Body)
		response.Body.Close()
		if err != nil {
			return 0, err
		}
		if response.StatusCode < 300 {
			if out != nil && len(answer) > 0 {
				return response.StatusCode, json.Unmarshal(answer, out)
			}
			return response.StatusCode, nil
		}
		var refusal struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(answer, &refusal)
		code := refusal.Error.Code
		if code == "idempotency_key_in_use" || code == "rate_limited" {
			seconds, _ := strconv.Atoi(response.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(seconds, 1)) * time.Second)
			continue
		}
		return response.StatusCode, &PaydeskError{response.StatusCode, code, refusal.Error.Message}
	}
	return 409, &PaydeskError{409, "idempotency_key_in_use", "still in flight after 5 tries"}
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// verify checks `Paydesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
func verify(secret, header string, body []byte, now int64) bool {
	var t string
	var signatures []string
	for _, part := range strings.Split(header, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch key {
		case "t":
			t = value
		case "v1":
			signatures = append(signatures, value)
		}
	}
	sent, err := strconv.ParseInt(t, 10, 64)
	if err != nil || sent < 0 {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	matched := false
	for _, signature := range signatures {
		got, err := hex.DecodeString(signature)
		if err == nil && hmac.Equal(got, expected) {
			matched = true
		}
	}
	age := now - sent
	return matched && age <= tolerance && age >= -tolerance
}

// inbox holds verified events; Wait finds one.
type inbox struct {
	mu      sync.Mutex
	changed *sync.Cond
	events  []Event
	secret  string
}

func newInbox() *inbox {
	in := &inbox{}
	in.changed = sync.NewCond(&in.mu)
	return in
}

func (in *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	in.mu.Lock()
	defer in.mu.Unlock()
	signature := r.Header.Get("Paydesk-Signature")
	if err != nil || in.secret == "" || !verify(in.secret, signature, body, time.Now().Unix()) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var event Event
	if err := json.Unmarshal(body, &event); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	in.events = append(in.events, event)
	in.changed.Broadcast()
}

// Wait returns the first verified event of kind about id.
func (in *inbox) Wait(kind, id string) (Event, error) {
	deadline := time.Now().Add(waitFor)
	timer := time.AfterFunc(waitFor, func() {
		in.mu.Lock()
		in.changed.Broadcast()
		in.mu.Unlock()
	})
	defer timer.Stop()
	in.mu.Lock()
	defer in.mu.Unlock()
	for {
		for _, event := range in.events {
			if event.Type == kind && event.subject() == id {
				return event, nil
			}
		}
		if time.Now().After(deadline) {
			return Event{}, fmt.Errorf("no verified %s for %s within %s", kind, id, waitFor)
		}
		in.changed.Wait()
	}
}

func newKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func run(in *inbox) error {
	reference := "go-" + newKey()[:12]
	var order Order
	status, err := call("POST", "/v1/orders", map[string]any{
		"currency":           "CNY",
		"items":              []map[string]any{{"name": "Longjing tea", "quantity": 2, "unit_price": "25.00"}},
		"merchant_reference": reference,
		"return_url":         returnURL,
	}, "order-"+reference, &order)
	if err != nil {
		return err
	}
	fmt.Printf("order %s created (%d), total %s %s\n", order.ID, status, order.Total, order.Currency)
	fmt.Printf("checkout URL: %s\n", order.HostedURL)

	if strings.HasPrefix(secretKey, "sk_test_") {
		path := "/v1/test_helpers/orders/" + order.ID + "/pay"
		if _, err := call("POST", path, map[string]string{"outcome": "paid"}, "", &order); err != nil {
			return err
		}
		fmt.Printf("paid at the sandbox bank by the test helper: %s\n", order.Status)
	} else {
		fmt.Println("waiting for the shopper to pay ...")
	}

	paid, err := in.Wait("order.paid", order.ID)
	if err != nil {
		return err
	}
	fmt.Printf("verified order.paid %s for %s\n", paid.ID, order.ID)

	if _, err := call("GET", "/v1/orders/"+order.ID, nil, "", &order); err != nil {
		return err
	}
	if order.Status != "paid" {
		return fmt.Errorf("order is %s, not paid", order.Status)
	}
	fmt.Printf("order %s is %s\n", order.ID, order.Status)

	var refund Refund
	refunds := "/v1/orders/" + order.ID + "/refunds"
	body := map[string]string{"amount": "10.00", "reason": "requested_by_customer"}
	if _, err := call("POST", refunds, body, "refund-"+reference, &refund); err != nil {
		return err
	}
	fmt.Printf("refund %s of %s %s is %s\n", refund.ID, refund.Amount, refund.Currency, refund.Status)

	// A refund beyond what is left is refused by its code, and nothing changes.
	_, err = call("POST", refunds, map[string]string{"amount": "1000.00"}, "refund-too-much-"+reference, nil)
	var refusal *PaydeskError
	if !errors.As(err, &refusal) || refusal.Code != "refund_exceeds_payment" {
		return fmt.Errorf("a refund above the payment was not refused as expected: %v", err)
	}
	fmt.Printf("refused as expected: %s\n", refusal.Code)

	succeeded, err := in.Wait("refund.succeeded", refund.ID)
	if err != nil {
		return err
	}
	fmt.Printf("verified refund.succeeded %s for %s\n", succeeded.ID, refund.ID)
	fmt.Println("done")
	return nil
}

func main() {
	if err := integrate(); err != nil {
		var refusal *PaydeskError
		if errors.As(err, &refusal) {
			fmt.Fprintf(os.Stderr, "Paydesk refused: %v\n", refusal)
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}

func integrate() error {
	if secretKey == "" {
		return errors.New("set PAYDESK_SECRET_KEY to your secret key (sk_test_...)")
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(webhookHost, "0"))
	if err != nil {
		return err
	}
	in := newInbox()
	server := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go server.Serve(listener)
	defer server.Close()
	webhookURL := fmt.Sprintf("http://%s/webhooks/paydesk", listener.Addr())

	// Once per integration in real life: the secret is shown only in this answer.
	var endpoint struct{ ID, Secret string }
	if _, err := call("POST", "/v1/webhook_endpoints", map[string]any{
		"url":         webhookURL,
		"event_types": []string{"order.paid", "refund.succeeded"},
		"description": "go sample",
	}, newKey(), &endpoint); err != nil {
		return err
	}
	in.mu.Lock()
	in.secret = endpoint.Secret
	in.mu.Unlock()
	defer call("DELETE", "/v1/webhook_endpoints/"+endpoint.ID, nil, "", nil)
	return run(in)
}
