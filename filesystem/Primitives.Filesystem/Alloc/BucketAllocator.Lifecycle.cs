namespace Primitives.Filesystem.Alloc;

/// <content>Allocation, sector accounting, and the empty → durable → need_discard transitions.</content>
public sealed partial class BucketAllocator
{
    /// <summary>
    /// Allocates the lowest free bucket for <paramref name="type"/> (through the discard gate),
    /// bumping its generation. User data may not take the last <see cref="ReserveBuckets"/> free buckets.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not Btree, User or Journal.</exception>
    /// <exception cref="NoSpaceException">No free bucket (or only reserved ones, for user data).</exception>
    public BucketAllocation Allocate(BucketDataType type)
    {
        CheckClaimType(type);
        lock (_lock)
        {
            return AllocateLocked(type);
        }
    }

    private BucketAllocation AllocateLocked(BucketDataType type)
    {
        long keep = type == BucketDataType.User ? ReserveBuckets : 0;
        while (_free.Count > keep)
        {
            long bucket = _free.Min;
            if (ClaimThroughGate(bucket, type, out BucketAllocation allocation, out string? refusal))
            {
                return allocation;
            }

            throw new InvalidOperationException($"the freespace index holds bucket {bucket}, which the gate refused: {refusal}");
        }

        throw new NoSpaceException(
            $"no free bucket for {type} data: {_free.Count} free ({keep} kept in reserve), {_waiting.Count} emptied and waiting for a journal flush (durable seq {_durableSeq}), " +
            $"{_needDiscard.Count} waiting for discard, {_discarding.Count} being discarded, of {DataBucketCount} data buckets");
    }

    /// <summary>Adds <paramref name="sectors"/> live sectors to <paramref name="bucket"/> (data written there was referenced by journal sequence <paramref name="journalSeq"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucket"/> is outside the device.</exception>
    /// <exception cref="InvalidOperationException">The bucket is not in use, or would exceed its size.</exception>
    public void AddSectors(long bucket, uint sectors, ulong journalSeq)
    {
        CheckBucket(bucket);
        lock (_lock)
        {
            if (!TryAddSectorsLocked(bucket, _keys[bucket].Generation, sectors, journalSeq, out string? error))
            {
                throw new InvalidOperationException(error);
            }
        }
    }

    /// <summary>As <see cref="AddSectors"/>, but only if the bucket's generation is still <paramref name="generation"/>.</summary>
    /// <returns>False if the generation differs or the bucket is not in use.</returns>
    public bool TryAddSectors(long bucket, uint generation, uint sectors, ulong journalSeq)
    {
        CheckBucket(bucket);
        lock (_lock)
        {
            return TryAddSectorsLocked(bucket, generation, sectors, journalSeq, out _);
        }
    }

    /// <summary>
    /// Releases <paramref name="sectors"/> live sectors of <paramref name="bucket"/>, dropped by the
    /// commit with journal sequence <paramref name="journalSeq"/>. At zero the bucket becomes empty
    /// and waits for <paramref name="journalSeq"/> to be durable before it can be discarded and reused.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucket"/> is outside the device.</exception>
    /// <exception cref="InvalidOperationException">The bucket is not in use or has fewer live sectors.</exception>
    public void ReleaseSectors(long bucket, uint sectors, ulong journalSeq)
    {
        CheckBucket(bucket);
        lock (_lock)
        {
            if (!TryReleaseSectorsLocked(bucket, _keys[bucket].Generation, sectors, journalSeq, out string? error))
            {
                throw new InvalidOperationException(error);
            }
        }
    }

    /// <summary>As <see cref="ReleaseSectors"/>, but only if the bucket's generation is still <paramref name="generation"/>.</summary>
    /// <returns>False (nothing changed) if the generation differs or the bucket is not in use.</returns>
    /// <exception cref="InvalidOperationException">The generation matches but the bucket has fewer live sectors than released.</exception>
    public bool TryReleaseSectors(long bucket, uint generation, uint sectors, ulong journalSeq)
    {
        CheckBucket(bucket);
        lock (_lock)
        {
            AllocKey key = _keys[bucket];
            if (key.Generation != generation || !key.IsInUse || !IsDataBucket(bucket))
            {
                return false;
            }

            return TryReleaseSectorsLocked(bucket, generation, sectors, journalSeq, out string? error) ? true : throw new InvalidOperationException(error);
        }
    }

    /// <summary>
    /// Journal sequence <paramref name="seq"/> (and everything before it) is durable: buckets emptied
    /// at or before it become ready for discard (or free, when discards are off).
    /// </summary>
    public void OnJournalDurable(ulong seq)
    {
        bool ready = false;
        lock (_lock)
        {
            if (seq <= _durableSeq)
            {
                return;
            }

            _durableSeq = seq;
            while (_waiting.Count > 0 && _waiting.Min.Seq <= seq)
            {
                (ulong _, long bucket) = _waiting.Min;
                _waiting.Remove(_waiting.Min);
                ready |= BecomeReadyLocked(bucket, notify: true);
            }
        }

        if (ready)
        {
            NeedDiscardReady?.Invoke();
        }
    }

    private bool TryAddSectorsLocked(long bucket, uint generation, uint sectors, ulong journalSeq, out string? error)
    {
        AllocKey key = _keys[bucket];
        if (key.Generation != generation || !key.IsInUse || !IsDataBucket(bucket))
        {
            error = $"bucket {bucket} is {key.DataType} generation {key.Generation}, not an in-use data bucket of generation {generation}";
            return false;
        }

        if ((long)key.DirtySectors + sectors > BucketSize / AllocKey.SectorSize)
        {
            error = $"bucket {bucket} would have {(long)key.DirtySectors + sectors} dirty sectors, more than its {BucketSize / AllocKey.SectorSize}";
            return false;
        }

        ulong nonEmpty = key.DirtySectors == 0 && sectors > 0 ? journalSeq : key.JournalSeqNonEmpty;
        SetKeyLocked(bucket, key with { DirtySectors = key.DirtySectors + sectors, JournalSeqNonEmpty = nonEmpty });
        error = null;
        return true;
    }

    private bool TryReleaseSectorsLocked(long bucket, uint generation, uint sectors, ulong journalSeq, out string? error)
    {
        AllocKey key = _keys[bucket];
        if (key.Generation != generation || !key.IsInUse || !IsDataBucket(bucket))
        {
            error = $"bucket {bucket} is {key.DataType} generation {key.Generation}, not an in-use data bucket of generation {generation}";
            return false;
        }

        if (sectors > key.DirtySectors)
        {
            error = $"releasing {sectors} sectors of bucket {bucket}, which has only {key.DirtySectors}";
            return false;
        }

        error = null;
        uint left = key.DirtySectors - sectors;
        if (left > 0)
        {
            SetKeyLocked(bucket, key with { DirtySectors = left });
            return true;
        }

        // Empty. All the space a write point handed out of it has been released, so nobody will
        // write there again: detach it from its write point before it can be reused.
        if (_open[bucket])
        {
            CloseWritePointOfLocked(bucket);
        }

        SetKeyLocked(bucket, key with { DataType = BucketDataType.NeedDiscard, DirtySectors = 0, NeedDiscard = true, JournalSeqEmpty = journalSeq });
        if (journalSeq <= _durableSeq)
        {
            if (BecomeReadyLocked(bucket, notify: true))
            {
                NotifyDiscardWorker();
            }
        }
        else
        {
            _waiting.Add((journalSeq, bucket));
        }

        return true;
    }

    /// <summary>The bucket's emptying is durable: need_discard (or free when discards are off). Returns whether the discard worker has work.</summary>
    private bool BecomeReadyLocked(long bucket, bool notify)
    {
        if (_options.Discard)
        {
            _needDiscard.Add(bucket);
            return true;
        }

        _free.Add(bucket);
        AllocKey freed = _keys[bucket] with { DataType = BucketDataType.Free, NeedDiscard = false };
        if (notify)
        {
            SetKeyLocked(bucket, freed);
        }
        else
        {
            _keys[bucket] = freed;
        }

        return false;
    }

    /// <summary>Signals the discard worker after a release under the lock; the handler only releases a semaphore, so running it under the lock cannot call back in.</summary>
    private void NotifyDiscardWorker() => NeedDiscardReady?.Invoke();
}
