--[[
  Creates a session if its ID is neither live nor tombstoned, and below maxSessions.

  KEYS[1] session hash      KEYS[2] tombstone hash
  KEYS[3] touch-order index KEYS[4] creation-order index KEYS[5] tombstone index
  ARGV[1..8] the policy prelude (ARGV[1] is the creation time)
  ARGV[9..] field/value pairs of the optional fields (o owner, k kind, d data, i init)

  Returns 1 created, 0 the ID is taken, 2 full.
]]
--- @include "policy"

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local endedAt = redis.call('HGET', KEYS[2], 'e')
if endedAt then
  local at = tonumber(endedAt)
  if at ~= nil and at + tombTtl > now then return 0 end
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[5], id)
end
if maxSessions >= 0 and redis.call('ZCARD', KEYS[3]) >= maxSessions then return 2 end

redis.call('HSET', KEYS[1], 'c', nowArg, 'l', nowArg, unpack(ARGV, 9))
local ttl = sessionTtl(now, now)
setSessionTtl(KEYS[1], ttl)
redis.call('ZADD', KEYS[3], nowArg, id)
redis.call('ZADD', KEYS[4], nowArg, id)
extendTtl(KEYS[3], ttl)
extendTtl(KEYS[4], ttl)
return 1
