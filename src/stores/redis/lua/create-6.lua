--[[
  Creates a session if its ID is neither live nor tombstoned, its owner holds fewer than
  maxSessionsPerOwner live sessions, and the store is below maxSessions.

  KEYS[1] session hash      KEYS[2] tombstone hash
  KEYS[3] touch-order index KEYS[4] creation-order index KEYS[5] tombstone index
  KEYS[6] the owner's index (`<prefix>owner:<sha1>`, see includes/owners), only when ARGV[10]
          names an owner: 5 keys otherwise
  ARGV[1..8] the policy prelude (ARGV[1] is the creation time)
  ARGV[9] maxSessionsPerOwner (-1: no limit)
  ARGV[10] '' no owner, or '=' followed by the owner (filed in the owner index, see
           includes/owners)
  ARGV[11..] field/value pairs of the optional fields (o owner, k kind, d data, i init)

  Returns 1 created, 0 the ID is taken, 2 full, 3 the owner is at its quota.

  Keys built here (undeclared; they share the prefix's hash tag, so they live in the declared
  keys' slot, as Redis Cluster requires): session hashes `<prefix>s:<id>` of the owner's index
  members, read when the owner is at its quota.
]]
--- @include "policy"
--- @include "owners"

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local endedAt = redis.call('HGET', KEYS[2], 'e')
if endedAt then
  local at = tonumber(endedAt)
  if at ~= nil and at + tombTtl > now then return 0 end
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[5], id)
end
local owner = nil
if ARGV[10] ~= '' then owner = string.sub(ARGV[10], 2) end
local perOwner = tonumber(ARGV[9])
if owner and perOwner >= 0 and ownerCount(KEYS[6], perOwner) >= perOwner then
  return 3
end
if maxSessions >= 0 and redis.call('ZCARD', KEYS[3]) >= maxSessions then return 2 end

redis.call('HSET', KEYS[1], 'c', nowArg, 'l', nowArg, unpack(ARGV, 11))
local ttl = sessionTtl(now, now)
setSessionTtl(KEYS[1], ttl)
redis.call('ZADD', KEYS[3], nowArg, id)
redis.call('ZADD', KEYS[4], nowArg, id)
extendTtl(KEYS[3], ttl)
extendTtl(KEYS[4], ttl)
if owner then indexOwner(KEYS[6], id, nowArg) end
return 1
