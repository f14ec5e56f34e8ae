-- enqueue-once (cluster mode): push staged jobs onto their queue, each at most once however often a crashed move
-- is resumed: a job's SHA-1 goes into the queue's marker set in the same step as the push, and a job whose SHA-1 is
-- already there was pushed before. The caller removes the SHA-1s once the jobs have left the staging list.
--
-- KEYS[1]  the queue list (queue:<q>)
-- KEYS[2]  its marker set (same slot: it carries {queue:<q>})
-- ARGV[1]  seconds the marker set lives after its last use (for SHA-1s a crash left behind)
-- ARGV[2…] the jobs, oldest first
--
-- Returns how many jobs were pushed now.
local pushed = 0
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[2], redis.sha1hex(ARGV[i])) == 1 then
    redis.call('LPUSH', KEYS[1], ARGV[i])
    pushed = pushed + 1
  end
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
return pushed
