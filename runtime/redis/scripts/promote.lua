-- promote: move due jobs from a sorted set (schedule or retry) onto their queues, each exactly once.
-- The caller read the due members and rewrote each one's enqueued_at; this script re-checks that each member is
-- still there and due, and moves it in one atomic step, so with many processes polling no job is pushed twice,
-- and a process dying mid-poll loses nothing. The data API's retry / add-to-queue uses it too, with an unbounded
-- now: "move these members now, whatever their score".
--
-- KEYS[1]    the sorted set (schedule or retry; dead too, from the API)
-- KEYS[2]    the queues set
-- KEYS[2+i]  the queue list (queue:<name>) of job i
-- ARGV[1]    now, epoch seconds: only members scored at or before it move
-- ARGV[2+3(i-1)]  job i as stored in the sorted set
-- ARGV[3+3(i-1)]  job i as it goes onto its queue (enqueued_at set); empty when a client middleware stopped its
--                 push: it is then only removed from the set, as Sidekiq drops it
-- ARGV[4+3(i-1)]  job i's queue name (a value in the queues set)
--
-- Returns how many jobs moved onto a queue; one another process moved first is skipped.
local now = tonumber(ARGV[1])
local moved = 0
for i = 1, #KEYS - 2 do
  local member = ARGV[2 + 3 * (i - 1)]
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) <= now then
    redis.call('ZREM', KEYS[1], member)
    local payload = ARGV[3 + 3 * (i - 1)]
    if payload ~= '' then
      redis.call('SADD', KEYS[2], ARGV[4 + 3 * (i - 1)])
      redis.call('LPUSH', KEYS[2 + i], payload)
      moved = moved + 1
    end
  end
end
return moved
