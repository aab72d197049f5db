# SPDX-License-Identifier: GPL-2.0
# ext4 -o dax on the NVDIMM.
. /scen/daxfs.sh
dax_scenario ext4
