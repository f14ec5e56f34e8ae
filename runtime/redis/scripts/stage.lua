-- stage (cluster mode): take due jobs from a sorted set (schedule or retry) into a process's staging list, the first
-- of the resumable steps that put them on their queues, which live in other hash slots (see staged-promote.ts).
-- Re-checks each member as promote.lua does, so with many processes polling each job is taken once.
--
-- KEYS[1]  the sorted set (schedule or retry)
-- KEYS[2]  this process's staging list for it (same slot: it carries the set's key as hash tag)
-- ARGV[1]  now, epoch seconds: only members scored at or before it move
-- ARGV[2i], ARGV[2i+1]  job i as stored in the set, and as it goes onto its queue (enqueued_at set)
--
-- Returns how many jobs were staged; one another process took first is skipped.
local now = tonumber(ARGV[1])
local staged = 0
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= now then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('LPUSH', KEYS[2], ARGV[i + 1])
    staged = staged + 1
  end
end
return staged
