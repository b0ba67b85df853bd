-- SPDX-License-Identifier: BSD-2-Clause
-- bench/rspamd/order.lua: hfilter (HFILTER_CHECK) reads task:get_hostname(),
-- which once_received (ONCE_RECEIVED) fills in from the PTR it resolves when
-- the MTA passed no hostname.  Without an ordering the two run side by side
-- and hfilter may see no hostname (HFILTER_HOSTNAME_UNKNOWN even for a
-- client with a good PTR) and skip its generic-name checks of the PTR name.
rspamd_config:register_dependency('HFILTER_CHECK', 'ONCE_RECEIVED')
