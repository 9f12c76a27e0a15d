--[[
  Tombstones: a hash per ended session (r reason, e endedAt, o owner) and a sorted set of
  their IDs by endedAt. Needs the policy prelude. trimTombstones builds the keys
  `<prefix>t:<id>` of the tombstones it drops (undeclared; they share the prefix's hash tag, so
  they live in the slot of the declared keys, as Redis Cluster requires).
]]

-- Answers a tombstone reply {3, reason, endedAt, owner} for a live tombstone, else {0}.
local function tombstoneReply(key)
  local t = redis.call('HMGET', key, 'r', 'e', 'o')
  if not t[1] then return {0} end
  local endedAt = tonumber(t[2])
  if endedAt == nil then return CORRUPT end
  if endedAt + tombTtl <= now then return {0} end
  return {3, t[1], t[2], t[3]}
end

-- Drops the oldest tombstones beyond maxTombstones.
local function trimTombstones(ended)
  local excess = redis.call('ZCARD', ended) - maxTombs
  if excess <= 0 then return end
  local oldest = redis.call('ZRANGE', ended, 0, excess - 1)
  for _, member in ipairs(oldest) do redis.call('DEL', base .. 't:' .. member) end
  redis.call('ZREMRANGEBYRANK', ended, 0, excess - 1)
end

-- Writes the tombstone of a session that ends now (nothing when tombstones are off).
local function bury(ended, key, member, owner, reason)
  if tombTtl <= 0 or maxTombs <= 0 then return end
  redis.call('DEL', key)
  if owner then
    redis.call('HSET', key, 'r', reason, 'e', nowArg, 'o', owner)
  else
    redis.call('HSET', key, 'r', reason, 'e', nowArg)
  end
  redis.call('PEXPIRE', key, tombTtl)
  redis.call('ZADD', ended, nowArg, member)
  extendTtl(ended, tombTtl)
  trimTombstones(ended)
end
