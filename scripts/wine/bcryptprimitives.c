/*
 * Test-only stand-in for Windows' bcryptprimitives.dll under Wine 8 (Debian 12), which
 * lacks it. Go >= 1.22 calls ProcessPrng at start-up; this forwards to RtlGenRandom
 * (advapi32's SystemFunction036), Wine's own CSPRNG. It goes into the throw-away Wine
 * prefix of the smoke test only, never into a release archive.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
