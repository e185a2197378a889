;; AdamW's inner loop in WebAssembly SIMD, two elements per f64x2 instruction. Float32 parameters and
;; gradients, float64 moments; the arithmetic is the same sequence of IEEE double operations as the
;; TypeScript loop in optim.ts, so results are bit-identical to it.
;; Regenerate src/adamw-wasm.generated.ts after editing: see scripts/generate-adamw-wasm.mjs.
(module
  (memory (export "memory") 1)

  ;; 1 when all n float32 values at $g are finite, else 0. (x - x is 0 for finite x, NaN otherwise;
  ;; four independent lanes and two accumulators keep the adds from waiting on each other.)
  (func (export "allFinite") (param $g i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128) (local $x v128) (local $s f32)
    (local.set $end (i32.and (local.get $n) (i32.const -8)))
    (block $done
      (loop $eights
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $a (f32x4.add (local.get $a) (f32x4.sub (local.get $x) (local.get $x))))
        (local.set $x (v128.load offset=16 (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $b (f32x4.add (local.get $b) (f32x4.sub (local.get $x) (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $eights)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f32.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $a (f32x4.add (local.get $a) (f32x4.splat (f32.sub (local.get $s) (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    ;; Finite everywhere exactly when every lane of a + b equals itself (NaN != NaN).
    (local.set $a (f32x4.add (local.get $a) (local.get $b)))
    (i32x4.all_true (f32x4.eq (local.get $a) (local.get $a))))

  ;; One AdamW update of n parameters: p float32 at $p, gradient float32 at $g, moments float64 at $m, $v.
  (func (export "adamw")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f64) (param $b2 f64) (param $b1c f64) (param $b2c f64)
    (param $eps f64) (param $decay f64) (param $step f64) (param $invC2 f64)
    (local $i i32) (local $end i32)
    (local $B1 v128) (local $B2 v128) (local $B1c v128) (local $B2c v128)
    (local $EPS v128) (local $DEC v128) (local $STEP v128) (local $C2 v128)
    (local $gi v128) (local $mi v128) (local $vi v128) (local $pi v128)
    (local $sg f64) (local $sm f64) (local $sv f64)
    (local.set $B1 (f64x2.splat (local.get $b1)))
    (local.set $B2 (f64x2.splat (local.get $b2)))
    (local.set $B1c (f64x2.splat (local.get $b1c)))
    (local.set $B2c (f64x2.splat (local.get $b2c)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    (local.set $DEC (f64x2.splat (local.get $decay)))
    (local.set $STEP (f64x2.splat (local.get $step)))
    (local.set $C2 (f64x2.splat (local.get $invC2)))
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; m = b1·m + (1 - b1)·g;  v = b2·v + ((1 - b2)·g)·g
        (local.set $gi (f64x2.promote_low_f32x4
          (v128.load64_zero (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $mi (f64x2.add
          (f64x2.mul (local.get $B1) (v128.load (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3)))))
          (f64x2.mul (local.get $B1c) (local.get $gi))))
        (local.set $vi (f64x2.add
          (f64x2.mul (local.get $B2) (v128.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
          (f64x2.mul (f64x2.mul (local.get $B2c) (local.get $gi)) (local.get $gi))))
        (v128.store (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3))) (local.get $mi))
        (v128.store (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))) (local.get $vi))
        ;; p = p·decay - (step·m) / (sqrt(v·invC2) + eps), rounded to float32
        (local.set $pi (f64x2.promote_low_f32x4
          (v128.load64_zero (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $pi (f64x2.sub
          (f64x2.mul (local.get $pi) (local.get $DEC))
          (f64x2.div (f64x2.mul (local.get $STEP) (local.get $mi))
                     (f64x2.add (f64x2.sqrt (f64x2.mul (local.get $vi) (local.get $C2))) (local.get $EPS)))))
        (v128.store64_lane 0 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
          (f32x4.demote_f64x2_zero (local.get $pi)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    ;; the last element when n is odd
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (local.set $sg (f64.promote_f32 (f32.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $sm (f64.add
          (f64.mul (local.get $b1) (f64.load (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3)))))
          (f64.mul (local.get $b1c) (local.get $sg))))
        (local.set $sv (f64.add
          (f64.mul (local.get $b2) (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
          (f64.mul (f64.mul (local.get $b2c) (local.get $sg)) (local.get $sg))))
        (f64.store (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3))) (local.get $sm))
        (f64.store (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))) (local.get $sv))
        (f32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
          (f32.demote_f64 (f64.sub
            (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
                     (local.get $decay))
            (f64.div (f64.mul (local.get $step) (local.get $sm))
                     (f64.add (f64.sqrt (f64.mul (local.get $sv) (local.get $invC2))) (local.get $eps)))))))))
  ;; allFinite for n float64 values (two lanes per vector).
  (func (export "allFinite64") (param $g i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128) (local $x v128) (local $s f64)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $eights
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.sub (local.get $x) (local.get $x))))
        (local.set $x (v128.load offset=16 (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.sub (local.get $x) (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $eights)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f64.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.splat (f64.sub (local.get $s) (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    ;; Finite everywhere exactly when every lane of a + b equals itself (NaN != NaN).
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (i64x2.all_true (f64x2.eq (local.get $a) (local.get $a))))

  ;; The same update with a float64 gradient at $g (accumulated gradients).
  (func (export "adamwGrad64")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f64) (param $b2 f64) (param $b1c f64) (param $b2c f64)
    (param $eps f64) (param $decay f64) (param $step f64) (param $invC2 f64)
    (local $i i32) (local $end i32)
    (local $B1 v128) (local $B2 v128) (local $B1c v128) (local $B2c v128)
    (local $EPS v128) (local $DEC v128) (local $STEP v128) (local $C2 v128)
    (local $gi v128) (local $mi v128) (local $vi v128) (local $pi v128)
    (local $sg f64) (local $sm f64) (local $sv f64)
    (local.set $B1 (f64x2.splat (local.get $b1)))
    (local.set $B2 (f64x2.splat (local.get $b2)))
    (local.set $B1c (f64x2.splat (local.get $b1c)))
    (local.set $B2c (f64x2.splat (local.get $b2c)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    (local.set $DEC (f64x2.splat (local.get $decay)))
    (local.set $STEP (f64x2.splat (local.get $step)))
    (local.set $C2 (f64x2.splat (local.get $invC2)))
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; m = b1·m + (1 - b1)·g;  v = b2·v + ((1 - b2)·g)·g
        (local.set $gi (v128.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $mi (f64x2.add
          (f64x2.mul (local.get $B1) (v128.load (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3)))))
          (f64x2.mul (local.get $B1c) (local.get $gi))))
        (local.set $vi (f64x2.add
          (f64x2.mul (local.get $B2) (v128.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
          (f64x2.mul (f64x2.mul (local.get $B2c) (local.get $gi)) (local.get $gi))))
        (v128.store (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3))) (local.get $mi))
        (v128.store (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))) (local.get $vi))
        ;; p = p·decay - (step·m) / (sqrt(v·invC2) + eps), rounded to float32
        (local.set $pi (f64x2.promote_low_f32x4
          (v128.load64_zero (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $pi (f64x2.sub
          (f64x2.mul (local.get $pi) (local.get $DEC))
          (f64x2.div (f64x2.mul (local.get $STEP) (local.get $mi))
                     (f64x2.add (f64x2.sqrt (f64x2.mul (local.get $vi) (local.get $C2))) (local.get $EPS)))))
        (v128.store64_lane 0 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
          (f32x4.demote_f64x2_zero (local.get $pi)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    ;; the last element when n is odd
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (local.set $sg (f64.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $sm (f64.add
          (f64.mul (local.get $b1) (f64.load (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3)))))
          (f64.mul (local.get $b1c) (local.get $sg))))
        (local.set $sv (f64.add
          (f64.mul (local.get $b2) (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
          (f64.mul (f64.mul (local.get $b2c) (local.get $sg)) (local.get $sg))))
        (f64.store (i32.add (local.get $m) (i32.shl (local.get $i) (i32.const 3))) (local.get $sm))
        (f64.store (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))) (local.get $sv))
        (f32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
          (f32.demote_f64 (f64.sub
            (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
                     (local.get $decay))
            (f64.div (f64.mul (local.get $step) (local.get $sm))
                     (f64.add (f64.sqrt (f64.mul (local.get $sv) (local.get $invC2))) (local.get $eps)))))))))
)
