-- window-acquire: count one start in a fixed-window rate limiter, if the window has room.
--
-- KEYS[1]  the window's counter (STRING), one key per window (its start is part of the name)
-- ARGV[1]  the limit per window
-- ARGV[2]  milliseconds the counter lives: until the window ends, and one window more (so it can be read)
--
-- Returns 1 when counted, 0 when the window is full.
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  return 0
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
