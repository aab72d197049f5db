# SPDX-License-Identifier: GPL-2.0
# xfs -o dax on the NVDIMM.
. /scen/daxfs.sh
dax_scenario xfs
