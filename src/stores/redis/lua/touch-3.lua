--[[
  Restarts a live session's idle clock and answers it.

  KEYS[1] session hash  KEYS[2] tombstone hash  KEYS[3] touch-order index
  ARGV[1..8] the policy prelude
  ARGV[9] '1': revive a session whose idle deadline (only) has passed (it was pinned)
  ARGV[10] the owner check (see includes/owner), made before any write: another owner's
           session or tombstone answers {0} and nothing is written
  ARGV[11] a replica's pin field ('p:' .. holder), or '' to leave pins alone
  ARGV[12] with a pin field: when that pin lapses (ms), or '' to drop it

  Returns what get-2 returns, without the stored initialize (its place i is nil: a touch runs on
  every request, a restore reads i with get-2); an expired session is not touched.
]]
--- @include "policy"
--- @include "tombstones"
--- @include "owner"

local r = redis.call('HMGET', KEYS[1], 'c', 'l', 'o', 'k', 'd', 'v')
if not r[1] then return visibleTombstone(KEYS[2], ARGV[10]) end
if not ownerVisible(r[3], ARGV[10]) then return strangerReply(KEYS[2]) end
local createdAt, lastSeenAt = tonumber(r[1]), tonumber(r[2])
if createdAt == nil or lastSeenAt == nil then return CORRUPT end
if deadlineOf(createdAt, lastSeenAt) <= now then
  local reason = expiryReasonOf(createdAt)
  if ARGV[9] ~= '1' or reason == 'lifetime' then
    return {2, r[1], r[2], r[3], r[4], r[5], false, reason, r[6]}
  end
end
if now > lastSeenAt then
  redis.call('HSET', KEYS[1], 'l', nowArg)
  r[2] = nowArg
  local ttl = sessionTtl(createdAt, now)
  setSessionTtl(KEYS[1], ttl)
  redis.call('ZADD', KEYS[3], nowArg, id)
  extendTtl(KEYS[3], ttl)
end
if ARGV[11] ~= '' then
  if ARGV[12] ~= '' then
    redis.call('HSET', KEYS[1], ARGV[11], ARGV[12])
  else
    redis.call('HDEL', KEYS[1], ARGV[11])
  end
end
return {1, r[1], r[2], r[3], r[4], r[5], false, r[6]}
