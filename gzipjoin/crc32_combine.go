package gzipjoin

// The CRC-32 of two byte strings one after the other, from each one's CRC
// and the second's length, as zlib's crc32_combine does it: the first CRC
// is multiplied by x^(8·len2) modulo the CRC polynomial, in the reflected
// bit order hash/crc32 (IEEE) uses, and added to the second.

// reflectedIEEE is the IEEE polynomial in reflected bit order.
const reflectedIEEE = 0xedb88320

// multModP returns a(x)·b(x) modulo p(x), both reflected (the highest bit
// is x⁰). a must not be zero.
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ reflectedIEEE
		} else {
			b >>= 1
		}
	}
}

// x2nTable holds x^(2^k) modulo p(x) for k = 0…31.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x¹
	t[0] = p
	for k := 1; k < len(t); k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// x2nModP returns x^(n·2^k) modulo p(x).
func x2nModP(n uint64, k uint) uint32 {
	p := uint32(1) << 31 // x⁰
	for n != 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}

// crc32Combine returns the CRC-32 of A followed by B from crcA, crcB and
// B's length.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	return multModP(x2nModP(uint64(lenB), 3), crcA) ^ crcB
}
