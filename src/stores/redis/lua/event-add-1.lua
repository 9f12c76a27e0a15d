--[[
  Appends one event to a session's event log, keeping the newest `maxEvents`, and sets the
  log's TTL.

  KEYS[1] the session's event stream
  ARGV[1] stream ID    ARGV[2] message (JSON text)
  ARGV[3] maxEvents    ARGV[4] TTL in ms (0: none)

  Returns the entry ID.
]]
local entry = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], '*', 's', ARGV[1], 'm', ARGV[2])
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return entry
