#!/usr/bin/env ruby
# frozen_string_literal: true

# A merchant's whole integration with Paydesk, in Ruby's standard library only.
#
# Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
# verifies the `order.paid` webhook, reads the order back, refunds part of it and
# verifies `refund.succeeded`. With a test key the payment is made through the sandbox
# bank by the gateway's test helper; with a live key it waits for a shopper.
#
#   PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... ruby checkout.rb

require "json"
require "net/http"
require "openssl"
require "securerandom"
require "socket"
require "uri"

API_URL = ENV.fetch("PAYDESK_API_URL", "http://127.0.0.1:8080").chomp("/")
SECRET_KEY = ENV.fetch("PAYDESK_SECRET_KEY", "")
RETURN_URL = ENV.fetch("PAYDESK_RETURN_URL", "http://127.0.0.1:8082/checkout/complete")
WEBHOOK_HOST = ENV.fetch("PAYDESK_WEBHOOK_HOST", "127.0.0.1")
WAIT_SECS = 60
TOLERANCE_SECS = 300

# A refusal from the API: `code` is stable, the message is for people.
class PaydeskError < StandardError
  attr_reader :status, :code

  def initialize(status, code, message)
    super("#{status} #{code}: #{message}")
    @status = status
    @code = code
  end
end

# One API request; retries while the same key is still in flight (409) or rate limited.
def call(method, path, body = nil, idempotency_key: nil)
  uri = URI(API_URL + path)
  5.times do
    request = Net::HTTPGenericRequest.new(method, !body.nil?, true, uri)
    request["Authorization"] = "Bearer #{SECRET_KEY}"
    request["Idempotency-Key"] = idempotency_key if idempotency_key
    unless body.nil?
      request["Content-Type"] = "application/json"
      request.body = JSON.generate(body)
    end
    response = Net::HTTP.start(uri.host, uri.port, read_timeout: 30) { |http| http.request(request) }
    answer = response.body.to_s.empty? ? {} : JSON.parse(response.body)
    return [response.code.to_i, answer] if response.code.to_i < 300

    code = answer.dig("error", "code") || "unknown"
    if %w[idempotency_key_in_use rate_limited].include?(code)
      sleep [response["Retry-After"].to_i, 1].max
      next
    end
    raise PaydeskError.new(response.code.to_i, code, answer.dig("error", "message").to_s)
  end
  raise PaydeskError.new(409, "idempotency_key_in_use", "still in flight after 5 tries")
end

# `Paydesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
def verify(secret, header, body, now)
  fields = header.split(",").map { |part| part.strip.split("=", 2) }
  t = fields.find { |key, _| key == "t" }&.last.to_s
  return false unless t.match?(/\A\d+\z/)

  expected = OpenSSL::HMAC.hexdigest("SHA256", secret, "#{t}.#{body}")
  matched = fields.any? do |key, value|
    key == "v1" && value.to_s.bytesize == expected.bytesize &&
      OpenSSL.fixed_length_secure_compare(expected, value)
  end
  matched && (now - t.to_i).abs <= TOLERANCE_SECS
end

# The webhook receiver: a thread that accepts deliveries and keeps the verified ones.
class Receiver
  attr_accessor :secret

  def initialize(host)
    @server = TCPServer.new(host, 0)
    @events = []
    @lock = Mutex.new
    @arrived = ConditionVariable.new
    @thread = Thread.new { loop { serve(@server.accept) } }
  end

  def url
    "http://#{@server.addr[3]}:#{@server.addr[1]}/webhooks/paydesk"
  end

  # The first verified event of `type` whose data[key]["id"] is `id`.
  def wait_for(type, key, id)
    deadline = Time.now + WAIT_SECS
    @lock.synchronize do
      loop do
        event = @events.find { |e| e["type"] == type && e.dig("data", key, "id") == id }
        return event if event

        left = deadline - Time.now
        raise "no verified #{type} for #{id} within #{WAIT_SECS} s" if left <= 0

        @arrived.wait(@lock, left)
      end
    end
  end

  def close
    @thread.kill
    @server.close
  end

  private

  def serve(connection)
    request = connection.gets
    headers = {}
    while (line = connection.gets) && line != "\r\n"
      name, value = line.split(":", 2)
      headers[name.strip.downcase] = value.to_s.strip
    end
    body = connection.read(headers.fetch("content-length", "0").to_i).to_s
    ok = request&.start_with?("POST ") && secret &&
         verify(secret, headers.fetch("paydesk-signature", ""), body, Time.now.to_i)
    connection.write(ok ? "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                        : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    connection.close
    return unless ok

    event = JSON.parse(body)
    @lock.synchronize do
      @events << event
      @arrived.broadcast
    end
  end
end

def run(receiver)
  reference = "rb-#{SecureRandom.hex(6)}"
  status, order = call("POST", "/v1/orders", {
                         currency: "CNY",
                         items: [{ name: "Longjing tea", quantity: 2, unit_price: "25.00" }],
                         merchant_reference: reference,
                         return_url: RETURN_URL
                       }, idempotency_key: "order-#{reference}")
  puts "order #{order['id']} created (#{status}), total #{order['total']} #{order['currency']}"
  puts "checkout URL: #{order['hosted_url']}"

  if SECRET_KEY.start_with?("sk_test_")
    _, order = call("POST", "/v1/test_helpers/orders/#{order['id']}/pay", { outcome: "paid" })
    puts "paid at the sandbox bank by the test helper: #{order['status']}"
  else
    puts "waiting for the shopper to pay ..."
  end

  paid = receiver.wait_for("order.paid", "order", order["id"])
  puts "verified order.paid #{paid['id']} for #{order['id']}"

  _, order = call("GET", "/v1/orders/#{order['id']}")
  raise "order is #{order['status']}, not paid" unless order["status"] == "paid"

  puts "order #{order['id']} is #{order['status']}"

  _, refund = call("POST", "/v1/orders/#{order['id']}/refunds",
                   { amount: "10.00", reason: "requested_by_customer" },
                   idempotency_key: "refund-#{reference}")
  puts "refund #{refund['id']} of #{refund['amount']} #{refund['currency']} is #{refund['status']}"

  # A refund beyond what is left is refused by its code, and nothing changes.
  begin
    call("POST", "/v1/orders/#{order['id']}/refunds", { amount: "1000.00" },
         idempotency_key: "refund-too-much-#{reference}")
    raise "a refund above the payment was accepted"
  rescue PaydeskError => e
    raise unless e.code == "refund_exceeds_payment"

    puts "refused as expected: #{e.code}"
  end

  succeeded = receiver.wait_for("refund.succeeded", "refund", refund["id"])
  puts "verified refund.succeeded #{succeeded['id']} for #{refund['id']}"
  puts "done"
end

begin
  abort "set PAYDESK_SECRET_KEY to your secret key (sk_test_...)" if SECRET_KEY.empty?
  $stdout.sync = true
  receiver = Receiver.new(WEBHOOK_HOST)
  # Once per integration in real life: the secret is shown only in this answer.
  _, endpoint = call("POST", "/v1/webhook_endpoints", {
                       url: receiver.url,
                       event_types: %w[order.paid refund.succeeded],
                       description: "ruby sample"
                     }, idempotency_key: SecureRandom.uuid)
  receiver.secret = endpoint["secret"]
  begin
    run(receiver)
  ensure
    call("DELETE", "/v1/webhook_endpoints/#{endpoint['id']}")
    receiver.close
  end
rescue PaydeskError => e
  warn "Paydesk refused: #{e.message}"
  exit 1
end
