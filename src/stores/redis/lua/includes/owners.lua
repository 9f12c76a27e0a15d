--[[
  The owner index: per owner, a sorted set `<prefix>owner:<SHA1 hex of the owner>` of its live
  session IDs scored by creation time (the hash keeps any owner string out of key names).
  Sessions without an owner are not indexed. Every script that ends a session takes it out in
  the same step; Redis deletes a set with its last member. With a maximum lifetime a set expires
  maxLifetimeMs + tombstoneTtlMs after its newest creation, past the end of every member's key;
  without one it has no TTL (a touch never reaches it), and members whose session key Redis
  expired while no sweep ran are pruned when the owner reaches its quota or lists its sessions.
  Needs the policy prelude. ownerKey and ownerCount build keys from the prefix (an owner's index
  whose owner is read from a record, session hashes of index members): undeclared, but in the
  slot of the declared keys, since every key carries the prefix's hash tag.
]]

local function ownerKey(owner)
  return base .. 'owner:' .. redis.sha1hex(owner)
end

-- Files a new session in its owner's set `key` and extends the set's TTL (see above).
local function indexOwner(key, member, createdAt)
  redis.call('ZADD', key, createdAt, member)
  if maxLife > 0 then extendTtl(key, maxLife + tombTtl) else redis.call('PERSIST', key) end
end

-- Takes an ending session out of its owner's set (a no-op without an owner).
local function unindexOwner(owner, member)
  if owner then redis.call('ZREM', ownerKey(owner), member) end
end

-- How many live sessions the set holds, for a quota of `limit`: at the limit, members whose
-- session key is gone are pruned first, so only then does counting cost more than ZCARD.
local function ownerCount(key, limit)
  local n = redis.call('ZCARD', key)
  if n < limit then return n end
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    if redis.call('EXISTS', base .. 's:' .. member) == 0 then
      redis.call('ZREM', key, member)
      n = n - 1
    end
  end
  return n
end
