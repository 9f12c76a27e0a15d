--[[
  Owner checks of get and touch, made before any write. The check argument: '' none (the
  manager's own bookkeeping), '-' a caller without an owner (it sees only sessions without
  one), '=' followed by the owner for a caller with one. Needs the tombstones include.
]]

-- Whether a record whose owner field is `recorded` (false when absent) is visible to `check`.
local function ownerVisible(recorded, check)
  if check == '' then return true end
  if recorded then return check == '=' .. recorded end
  return check == '-'
end

-- What tombstoneReply answers, or {0} when `check` does not see the tombstone.
local function visibleTombstone(key, check)
  local reply = tombstoneReply(key)
  if type(reply) == 'table' and reply[1] == 3 and not ownerVisible(reply[4], check) then
    return {0}
  end
  return reply
end

-- The reply to a stranger: {0}, after the same tombstone read an unknown ID costs, so that
-- another owner's session takes as long to answer as a never-seen ID.
local function strangerReply(key)
  tombstoneReply(key)
  return {0}
end
