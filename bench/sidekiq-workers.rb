# Ruby Sidekiq's side of the throughput benchmark (bench/sidekiq-ruby.ts), loaded by `sidekiq -r`: the same no-op
# job and latency probe as bench/registry.mjs, reporting on stdout in "BENCH " lines with the machine's monotonic
# clock in nanoseconds (Node's process.hrtime.bigint() reads the same clock). Logs at warn, as the other systems
# run in the drain rows; BENCH_COUNT is the drain's N or the latency probe's.
require "sidekiq"
require "json"

module Bench
  COUNT = Integer(ENV.fetch("BENCH_COUNT", "0"))
  # How long a drained job takes (a sleep, as a call to a slow API); 0: it returns at once.
  JOB_SECONDS = Integer(ENV.fetch("BENCH_JOB_MS", "0")) / 1000.0
  LOCK = Mutex.new
  @performed = 0
  @latencies = []

  def self.now_ns = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)

  def self.report(value)
    $stdout.write("BENCH #{JSON.generate(value)}\n")
    $stdout.flush
  end

  # The first perform's start, and the Nth perform's end (basic fetch acknowledges when it pops, so a job that has
  # performed is done).
  def self.performed(started)
    count = LOCK.synchronize { @performed += 1 }
    report({"first" => started.to_s}) if count == 1
    report({"last" => now_ns.to_s}) if count == COUNT
  end

  def self.latency(sent_at)
    latency_us = (now_ns - Integer(sent_at)) / 1000.0
    done = LOCK.synchronize { @latencies << latency_us; @latencies.size == COUNT && @latencies.dup }
    report({"latenciesUs" => done}) if done
  end
end

class NoOp
  include Sidekiq::Job
  def perform(*)
    started = Bench.now_ns
    sleep(Bench::JOB_SECONDS) if Bench::JOB_SECONDS > 0
    Bench.performed(started)
  end
end

class Latency
  include Sidekiq::Job
  def perform(sent_at)
    Bench.latency(sent_at)
  end
end

Sidekiq.configure_server do |config|
  config.logger.level = Logger::WARN
  config.on(:startup) do
    yjit = defined?(RubyVM::YJIT) && RubyVM::YJIT.enabled? ? true : false
    Bench.report({"ready" => true, "ruby" => RUBY_VERSION, "yjit" => yjit})
  end
end
