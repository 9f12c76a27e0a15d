--[[
  Replaces a live session's data when its version is the expected one. Neither lastSeenAt nor
  any TTL changes: HSET keeps the session key's expiry, and an update is not a use.

  KEYS[1] session hash  KEYS[2] tombstone hash
  ARGV[1..8] the policy prelude
  ARGV[9] the owner check (see includes/owner), made before any write: another owner's
          session or tombstone answers {0} and nothing is written
  ARGV[10] the expected version
  ARGV[11] the new data, as JSON text

  Returns {1, c, l, o, k, d, i, v} updated (with the new data and version), {4, c, l, o, k, d,
  i, v} the version differs (nothing written), otherwise what get-2 returns (nothing written).
  A record written before versions existed has version 1.
]]
--- @include "policy"
--- @include "tombstones"
--- @include "owner"

local r = redis.call('HMGET', KEYS[1], 'c', 'l', 'o', 'k', 'd', 'i', 'v')
if not r[1] then return visibleTombstone(KEYS[2], ARGV[9]) end
if not ownerVisible(r[3], ARGV[9]) then return strangerReply(KEYS[2]) end
local createdAt, lastSeenAt = tonumber(r[1]), tonumber(r[2])
local version = 1
if r[7] then version = tonumber(r[7]) end
if createdAt == nil or lastSeenAt == nil or version == nil then return CORRUPT end
if deadlineOf(createdAt, lastSeenAt) <= now then
  return {2, r[1], r[2], r[3], r[4], r[5], r[6], expiryReasonOf(createdAt), r[7]}
end
if version ~= tonumber(ARGV[10]) then
  return {4, r[1], r[2], r[3], r[4], r[5], r[6], r[7]}
end
local nextVersion = string.format('%d', version + 1)
redis.call('HSET', KEYS[1], 'd', ARGV[11], 'v', nextVersion)
return {1, r[1], r[2], r[3], r[4], ARGV[11], r[6], nextVersion}
