/** GUIDs of the OVMF footer table entries (edk2 OvmfPkg/ResetVector) that launch digests depend on. */
export const OVMF_TABLE_FOOTER_GUID = "96b582de-1fb2-45f7-baea-a366c55a082d";
export const SEV_ES_RESET_BLOCK_GUID = "00f771de-1a7e-4fcb-890e-68c77e2fb44e";
export const SEV_HASH_TABLE_RV_GUID = "7255371f-3a3b-4b04-927b-1da6efa8d454";
export const OVMF_SEV_METADATA_GUID = "dc886566-984a-4798-a75e-5585a7bf67cc";
export const SEV_SECRET_BLOCK_GUID = "4c2eb361-7d9b-4cc3-8081-127c90d3d294";
export const TDX_METADATA_OFFSET_GUID = "e47a6535-984a-4798-865e-4685a7bf8ec2";
export const SVSM_INFO_GUID = "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd";
