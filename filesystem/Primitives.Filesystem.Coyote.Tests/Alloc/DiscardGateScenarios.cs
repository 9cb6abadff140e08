using Microsoft.Coyote.Specifications;
using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Coyote.Tests.Alloc;

/// <summary>
/// The discard worker against concurrent claimants (the seed-000 race). Buckets 2 and 4 start
/// need_discard; the worker discards them (register in flight → unlock → slow discard on a
/// yielding memory device → complete), while a "direct claim" path tries to take buckets 2 and 4
/// and the allocator hands out free buckets; every claimant writes a pattern into what it got.
/// Invariants: no discard ever reaches a claimed bucket (checked at the device, at discard time),
/// no discard completion finds its bucket claimed, and every claimant's data survives.
/// </summary>
internal static class DiscardGateScenarios
{
    private const int BucketSize = 4096;

    /// <summary>12 buckets of 4 KiB: 0 superblock, 1 journal, 2..10 data, 11 backup.</summary>
    private static Superblock Geometry => new()
    {
        Uuid = Guid.Empty,
        BlockSize = 4096,
        BucketSize = BucketSize,
        BtreeNodeSize = 4096,
        BucketCount = 12,
        FirstDataBucket = 2,
        JournalBuckets = [1],
    };

    [CoyoteScenario("fs.alloc.discard-gate.claimants", Iterations = 300)]
    public static Task DiscardVersusClaimants() => Run(mutant: null);

    [CoyoteScenario("fs.alloc.discard-gate.bypass-mutant", ExpectedError = "while it is claimed||discard completion found bucket||was destroyed", Iterations = 1_000)]
    public static Task DiscardVersusGateBypassingClaim() => Run(AllocMutants.ClaimBypassesDiscardGate);

    /// <summary>
    /// Emptying, durability and reuse racing: a bucket emptied at journal sequence 2 must not be
    /// claimed (by the allocator or directly) before sequence 2 is durable, whatever the order of
    /// the release, the durability notice, the discard and the claims.
    /// </summary>
    [CoyoteScenario("fs.alloc.reuse-after-durable", Iterations = 300)]
    public static async Task NoReuseBeforeTheEmptyingIsDurable()
    {
        AllocMutants.Active = null;
        BucketAllocator allocator = BucketAllocator.Create(Geometry, options: new BucketAllocatorOptions { ReservePercent = 0 });
        var device = new MemoryBlockDevice(Geometry.BucketCount * BucketSize) { YieldOnIo = true };
        BucketAllocation victim = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(victim.Bucket, 8, 1);
        allocator.Changed += change =>
        {
            // Runs under the allocator's lock: DurableSeq (re-entrant) is the value the claim saw.
            if (change.Key.IsInUse && change.Key.JournalSeqEmpty > allocator.DurableSeq)
            {
                Specification.Assert(false, $"bucket {change.Bucket} reused as {change.Key.DataType} before its emptying (seq {change.Key.JournalSeqEmpty}) was durable (durable {allocator.DurableSeq})");
            }
        };

        var worker = new DiscardWorker(allocator, device);
        Task release = Task.Run(() => allocator.ReleaseSectors(victim.Bucket, 8, journalSeq: 2));
        Task durable = Task.Run(async () =>
        {
            await Task.Yield();
            allocator.OnJournalDurable(1);
            await Task.Yield();
            allocator.OnJournalDurable(2);
        });
        Task discard = Task.Run(async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                await worker.DiscardPendingAsync();
                await Task.Yield();
            }
        });
        Task claim = Task.Run(async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                allocator.TryClaim(victim.Bucket, BucketDataType.Btree, out _);
                await Task.Yield();
            }
        });
        Task allocate = Task.Run(() =>
        {
            for (int i = 0; i < 8; i++)
            {
                try
                {
                    allocator.Allocate(BucketDataType.User);
                }
                catch (NoSpaceException)
                {
                    // every bucket is taken or on its way back: fine
                }
            }
        });
        await Task.WhenAll(new[] { release, durable, discard, claim, allocate });
        Specification.Assert(allocator.Snapshot().GateViolations.Count == 0, "a discard completion found a claimed bucket");
    }

    private static async Task Run(string? mutant)
    {
        AllocMutants.Active = mutant; // static switch: set at the start of every iteration
        try
        {
            BucketAllocator allocator = BucketAllocator.Create(Geometry);
            var device = new MemoryBlockDevice(Geometry.BucketCount * BucketSize) { YieldOnIo = true };

            // Buckets 2 and 4: written, emptied at journal sequence 1, which is durable: need_discard.
            // Bucket 3 between them stays in use, so the worker issues two discards (no merged run),
            // and a run that wrongly spanned bucket 3 would trip the device check below.
            for (int i = 0; i < 3; i++)
            {
                BucketAllocation a = allocator.Allocate(BucketDataType.User);
                allocator.AddSectors(a.Bucket, 8, 1);
                if (a.Bucket != 3)
                {
                    allocator.ReleaseSectors(a.Bucket, 8, 1);
                }
            }

            allocator.OnJournalDurable(1);

            device.DiscardObserver = (offset, length) =>
            {
                for (long bucket = offset / BucketSize; bucket < (offset + length) / BucketSize; bucket++)
                {
                    AllocKey key = allocator.GetKey(bucket);
                    Specification.Assert(!key.IsInUse, $"discard of bucket {bucket} while it is claimed as {key.DataType} (generation {key.Generation}): the discard destroys live data");
                }
            };

            var owned = new List<(long Bucket, byte Fill)>();
            var worker = new DiscardWorker(allocator, device);
            Task discarder = Task.Run(async () => await worker.DiscardPendingAsync());
            Task direct = Task.Run(async () =>
            {
                foreach (long bucket in new long[] { 2, 4 })
                {
                    await Task.Yield();
                    if (allocator.TryClaim(bucket, BucketDataType.User, out BucketAllocation claimed))
                    {
                        await Own(device, owned, claimed);
                    }
                }
            });
            Task allocating = Task.Run(async () =>
            {
                for (int i = 0; i < 2; i++)
                {
                    await Own(device, owned, allocator.Allocate(BucketDataType.User));
                }
            });
            await Task.WhenAll(new[] { discarder, direct, allocating });

            IReadOnlyList<string> violations = allocator.Snapshot().GateViolations;
            Specification.Assert(violations.Count == 0, violations.Count > 0 ? violations[0] : string.Empty);
            foreach ((long bucket, byte fill) in owned)
            {
                byte[] back = new byte[BucketSize];
                device.Read(bucket * BucketSize, back);
                Specification.Assert(back.AsSpan().IndexOfAnyExcept(fill) < 0, $"data written to claimed bucket {bucket} was destroyed by a discard");
            }
        }
        finally
        {
            AllocMutants.Active = null;
        }
    }

    private static async Task Own(MemoryBlockDevice device, List<(long Bucket, byte Fill)> owned, BucketAllocation claimed)
    {
        byte fill = (byte)(0x40 + claimed.Bucket);
        lock (owned)
        {
            owned.Add((claimed.Bucket, fill));
        }

        await device.WriteAsync(claimed.Bucket * BucketSize, Enumerable.Repeat(fill, BucketSize).ToArray());
    }
}
