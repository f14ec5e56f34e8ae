# Ruby Sidekiq's enqueue side of the throughput benchmark (bench/sidekiq-ruby.ts), through Sidekiq's own client:
#   ruby bench/sidekiq-enqueue.rb bulk N     push_bulk, 1,000 jobs a call; prints {"seconds"}
#   ruby bench/sidekiq-enqueue.rb single N   one push at a time; prints {"seconds", "latenciesUs"}
# REDIS_URL names the server (or the latency proxy). Jobs are NoOp with Sidekiq's load-test arguments.
require "sidekiq"
require "json"

mode, count = ARGV[0], Integer(ARGV[1])
now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
args = ->(idx) { ["string", idx, {"mike" => "bob"}] }
Sidekiq.logger.level = Logger::WARN
Sidekiq.redis { |conn| conn.call("PING") }

if mode == "bulk"
  started = now.call
  (0...count).step(1000) do |from|
    Sidekiq::Client.push_bulk("class" => "NoOp", "args" => (from...[from + 1000, count].min).map(&args))
  end
  puts JSON.generate({"seconds" => now.call - started})
else
  Sidekiq::Client.push("class" => "NoOp", "args" => args.call(0))
  latencies = []
  started = now.call
  count.times do |idx|
    at = now.call
    Sidekiq::Client.push("class" => "NoOp", "args" => args.call(idx))
    latencies << (now.call - at) * 1e6
  end
  puts JSON.generate({"seconds" => now.call - started, "latenciesUs" => latencies})
end
