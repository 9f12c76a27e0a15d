--[[
  Shared prelude of every script that takes the manager's time and policy.

  ARGV[1] now (ms, the manager's clock; never Redis TIME)
  ARGV[2] idleTtlMs (0: never idle-expires)
  ARGV[3] maxLifetimeMs (0: none)
  ARGV[4] tombstoneTtlMs (0: no tombstones)
  ARGV[5] maxTombstones
  ARGV[6] maxSessions (-1: no limit)
  ARGV[7] key prefix (with its hash tag), to build keys of other sessions
  ARGV[8] session ID (or '' when the script is not about one session)
]]
local nowArg = ARGV[1]
local now = tonumber(nowArg)
local idleTtl = tonumber(ARGV[2])
local maxLife = tonumber(ARGV[3])
local tombTtl = tonumber(ARGV[4])
local maxTombs = tonumber(ARGV[5])
local maxSessions = tonumber(ARGV[6])
local base = ARGV[7]
local id = ARGV[8]

-- Returned when a key holds data this store cannot read.
local CORRUPT = -1

-- The time at which a session is due; math.huge when never.
local function deadlineOf(createdAt, lastSeenAt)
  local due = math.huge
  if idleTtl > 0 then due = lastSeenAt + idleTtl end
  if maxLife > 0 and createdAt + maxLife < due then due = createdAt + maxLife end
  return due
end

-- Which deadline ends a session due at now: the lifetime wins a tie.
local function expiryReasonOf(createdAt)
  if maxLife > 0 and createdAt + maxLife <= now then return 'lifetime' end
  return 'idle'
end

-- How long a session key lives in Redis: until its deadline plus the tombstone window, so a
-- fleet that comes back late can still claim it and answer "expired". nil: never due.
local function sessionTtl(createdAt, lastSeenAt)
  local due = deadlineOf(createdAt, lastSeenAt)
  if due == math.huge then return nil end
  return math.max(1, math.ceil(due - now + tombTtl))
end

-- Gives a key a store-side TTL of at least ttl ms (nil: never expires).
local function extendTtl(key, ttl)
  if ttl == nil then
    redis.call('PERSIST', key)
    return
  end
  local current = redis.call('PTTL', key)
  if current == -1 or current < ttl then redis.call('PEXPIRE', key, ttl) end
end

-- Sets a session key's TTL (nil: never expires).
local function setSessionTtl(key, ttl)
  if ttl == nil then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, ttl) end
end
