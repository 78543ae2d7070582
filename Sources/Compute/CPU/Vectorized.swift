// Helpers for the CPU backend's memory-bound loops, eight floats at a time (one AVX register).
// Written out with SIMD8 because the plain loops did not vectorise: a ternary such as ReLU's
// backward became a branch that mispredicts on half the elements, and reductions through a
// Double accumulator stay scalar. `aekit bench train --profile` shows the difference.

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func load8(_ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) func store8(_ value: SIMD8<Float>, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}

/// Calls `vector(i)` for each full block of eight elements of `range` (i = the block's first)
/// and `scalar(i)` for the elements left over at the end.
@inline(__always)
func inBlocksOf8(_ range: Range<Int>, vector: (Int) -> Void, scalar: (Int) -> Void) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound { vector(i); i += 8 }
    while i < range.upperBound { scalar(i); i += 1 }
}

/// Σ of the terms over `range`: eight lanes summed in Float over runs of 1024 elements (short
/// sums, so Float loses nothing that matters), the runs added up in Double.
@inline(__always)
func sumInBlocksOf8(_ range: Range<Int>, vector: (Int) -> SIMD8<Float>, scalar: (Int) -> Float) -> Double {
    var total: Double = 0
    var i = range.lowerBound
    while i < range.upperBound {
        let end = min(i + 1024, range.upperBound)
        var lanes = SIMD8<Float>()
        while i + 8 <= end { lanes += vector(i); i += 8 }
        var run = lanes.sum()
        while i < end { run += scalar(i); i += 1 }
        total += Double(run)
    }
    return total
}
