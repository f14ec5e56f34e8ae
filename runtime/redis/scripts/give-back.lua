-- give-back: return chosen jobs from a process's in-progress list to their queue, unchanged, to run next. Used when
-- the process goes quiet, for the jobs it had taken ahead of its free slots and not started: a quiet process holds
-- only the jobs it runs, as a quiet Sidekiq process does, and every other process (Ruby's too) can take the rest.
--
-- KEYS[1]  in-progress list of this process for one queue
-- KEYS[2]  that queue's list (queue:<q>)
-- ARGV     the payloads, exactly as stored, the newest taken first: the oldest ends at the queue's right end, the
--          next one fetched
--
-- Returns how many jobs were moved. A payload the list no longer holds is skipped, so nothing is pushed twice.
local moved = 0
for i = 1, #ARGV do
  if redis.call('LREM', KEYS[1], -1, ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i])
    moved = moved + 1
  end
end
return moved
