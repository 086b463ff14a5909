"""Українська: the same keys as en.py, with the same {placeholders}."""

UK = {
    # -- steps ------------------------------------------------------------------------
    "input": "вхід",
    "input tangent": "дотичний вектор входу",
    "start": "зворотний прохід починається з виходу",
    "arrays": "масиви: кожен множник застосовується як добуток вектора на якобіан",
    # -- widgets ----------------------------------------------------------------------
    "step": "крок",
    "play": "Відтворити",
    "pause": "Пауза",
    "zoom": "масштаб (або ctrl + коліщатко); тягніть, щоб зсунути",
    "no kernel": ("Ядро не під'єднане: повзункам воно потрібне, щоб знову виконати функцію. "
                  "Виконайте клітинку ще раз у запущеному зошиті."),
    "no picture": ("Тут немає рисунка: встановіть Graphviz (apt-get install graphviz, brew "
                   "install graphviz, conda install -c conda-forge graphviz або winget install "
                   "graphviz) або відкрийте це в Jupyter після pip install 'tracegrad[lab]', "
                   "щоб рисунок малював браузер."),
    "of": "з",
    "previous": "◀ назад",
    "next": "далі ▶",
    "reverse": "зворотний прохід починається з виходу",
    "forward": "прямий прохід обчислює значення по черзі",
    "tangent": "прямий режим передає дотичні по черзі",
    # -- доступність: що читає екранний читач (widgets/, drawing/text.py, сайт) -------
    "zoom in": "збільшити",
    "zoom out": "зменшити",
    "graph box": "граф: стрілки прокручують його, + і − змінюють масштаб",
    "stepper": "покроковий прохід графом",
    "summary": "Граф обчислення {out}: входів: {inputs} ({names}), операцій: {ops}; "
               "{out} = {value}.",
    "summary no inputs": "Граф обчислення {out}: операцій: {ops}; {out} = {value}.",
    "text form": "Граф у вигляді таблиці",
    "more rows": "… ще рядків: {count}; print(graph) покаже всі операції",
    "column.node": "вузол",
    "column.operation": "операція",
    "column.value": "значення",
    "column.gradient": "градієнт",
    "column.input": "вхід",
    # -- graphs -----------------------------------------------------------------------
    "backward pass": "зворотний прохід",
    "loop pass": "{name}: прохід циклу {number}",
    "graph tangent": "дотичний вектор",
    "operations": "операцій: {count}",
    "last": "останнє: {name} = {value}",
    "collapsed note": "операцій: {count}; кластери згорнуто, щоб не перевищити "
                      "max_nodes={max_nodes}",
    "cut note": "операцій: {count}; показано перші {first} і останні {last} "
                "(щоб показати більше, передайте max_nodes=)",
    "not drawn": "⋯ не показано операцій: {count} ⋯",
    "loop folded": "{name}: цикл × {total}",
    "passes folded": "ще проходів, кожен як показаний: {count}; операцій: {ops}",
    "fold note": "операцій: {count}; однакові проходи циклу показано один раз "
                 "(fold=False показує кожен прохід)",
    "paths from": "Шляхи від {start} до {out}: {count}",
    "path": "шлях",
    "more paths": "… і ще шляхів: {count}, їх враховано в сумі",
    "sum over paths": "сума за шляхами = {sum};  зворотний прохід: {symbol} = {grad}",
    "paths of arrays": "множники — якобіани масивів, їх застосовують як добутки вектора "
                       "на якобіан, тож шлях не має одного числа; зворотний прохід "
                       "підсумовує шляхи: {symbol} = {grad}",
    "more lines": "ще рядків: {count}; print(graph) покаже всі",
    # -- checks -----------------------------------------------------------------------
    "table.primitive": "примітив",
    "table.derivative": "локальні похідні",
    "table.meaning": "що обчислює",
    "table.vmap": "vmap",
    "table.special": "в особливих точках",
    "table.not differentiable": "недиференційовний",
    "table.rule": "правило",
    "table.loop": "цикл",
    # -- jit --------------------------------------------------------------------------
    "jit.header": "tg.jit({name}) для {signature}: звичайний NumPy, один рядок на примітив",
    "jit.transpose": "(транспонування, використане один раз, записано на місці; множення "
                     "на 1 пропущено).",
    "jit.forward pass": "прямий прохід",
    "jit.backward pass": "зворотний прохід",
    "jit.constants": "сталі: {shown}",
    "jit.guard": "перевірка: {where}",
    "jit.guard at": "перевірка: {what}, {where}",
    "jit.branch": "розгалуження (if/while) за трасованим значенням",
    "jit.reading": "читання трасованого значення ({how})",
    "jit.numpy call": "np.{name}(...)",
    "jit.same": "Чи x точно те значення, що його прочитано під час трасування?",
}


UK.update({
    "lec.layer": "шар",
    "lec.symbolic": "символічно",
    "lec.numerical": "чисельно",
    "lec.automatic": "автоматично",
    "lec.correct digits": "правильних цифр",
    "lec.error": "похибка",
    "lec.truncation": "обрізання",
    "lec.round-off": "округлення",
    "lec.by hand": "вручну",
    "lec.from the graph": "з графа",
    "lec.step": "крок",
    "lec.value": "значення",
    "lec.data": "дані",
    "lec.held-out data": "відкладені дані",
    "lec.before training": "до навчання",
    "lec.after training": "після навчання",
    "lec.training loss": "C на навчальній вибірці",
    "lec.held-out loss": "C на відкладеній вибірці",
    "lec.noise variance": "дисперсія шуму 0.01",
    "lec.number of parameters": "кількість параметрів",
    "lec.loss before training": "втрати до навчання",
    "lec.before the step": "до кроку",
    "lec.after the step": "після кроку",
    "lec.operations": "операцій",
    "lec.has shape": "має форму",
    "lec.agrees with central differences": "збігається з центральними різницями",
    "lec.order": "порядок",
    "lec.matches": "збігається з",
    "lec.trace": "запис",
    "lec.secant": "січна",
    "lec.slope": "нахил",
    "lec.tangent": "дотична",
    "lec.secants close in": "січні наближаються до дотичної",
    "lec.forward difference": "пряма різниця",
    "lec.central difference": "центральна різниця",
    "lec.theory": "теорія",
    "lec.exact up to rounding": "tracegrad: без обрізання, округлення ≈ ε·|f′|",
    "lec.finite differences at x = 1": "кінцеві різниці в точці x = 1",
    "lec.formula of": "формула",
    "lec.trace of": "запис",
    "lec.number of operations": "кількість операцій",
    "lec.swell vs linear": "розбухання виразів проти лінійного запису",
    "lec.grad of grad": "і grad від grad від …",
    "lec.calls": "виклики",
    "lec.by definition": "за означенням",
    "lec.time of f": "одне обчислення f",
    "lec.time of grad": "tg.grad: прямий + зворотний прохід",
    "lec.definition time": "за означенням: (n + 1) · час f",
    "lec.time, s": "час, с",
    "lec.ratio": "час градієнта / час f",
    "lec.small constant": "мала стала: ≤ 5",
    "lec.maximum": "максимум",
    "lec.minimum": "мінімум",
    "lec.gradient descent": "градієнтний спуск",
    "lec.every 500th step": "кожен 500-й крок",
    "lec.more inputs": "більше входів",
    "lec.more outputs": "більше виходів",
    "lec.with": "при",
    "lec.jacfwd": "jacfwd (прямий режим, n JVP)",
    "lec.jacrev": "jacrev (зворотний режим, m VJP)",
    "lec.time of one Jacobian": "час одного якобіана, мс",
    "lec.columns": "стовпці",
    "lec.rows": "рядки",
    "lec.MB": "МБ",
    "lec.staged graph at": "grad записаного графа в точці",
    "lec.traced anew at": "grad від f, трасованої наново, в точці",
    "lec.checked": "прямий і зворотний режими, порядки 1 і 2",
    "lec.depth": "глибина: кількість шарів",
    "lec.vanishing": "|∂C₀/∂w⁽¹⁾| у ланцюжку шарів з одним нейроном",
})


UK.update({
    "site.language": "Українська",
    "site.lectures": "Лекції",
    "site.previous": "← попередня",
    "site.next": "наступна →",
    "site.nav": "лекції: попередня, наступна, інша мова",
    "site.graph listing": "Граф як текст (його лістинг: кожна операція, значення й градієнт)",
    "site.plot alt": "Графік, побудований кодом вище; текст поруч пояснює, що на ньому.",
    "site.graph alt": "Граф обчислення {out} (блоків: {boxes}), входи {names}{value}.",
    "site.svg alt": "Граф, блоків: {boxes}: {labels}.",
    "site.title": "tracegrad: лекції з автоматичного диференціювання",
    "site.offline": ("Ці сторінки працюють без мережі: графи, формули й покроковий перегляд "
                     "уже в них. Щоб запускати код, відкрийте зошити в JupyterLab."),
    "copy.description": "Скопіювати зошити лекцій tracegrad (uk/ і en/) у теку DIR.",
    "copy.dir": "тека, куди їх скопіювати (її буде створено, якщо її немає)",
    "copy.force": "перезаписати зошити, які вже є в DIR",
    "copy.copied": "скопійовано зошит {path}",
    "copy.kept": "у {dir} вже є зошитів: {count}; їх залишено (--force перезапише їх)",
    "copy.open": "відкрийте їх так:  jupyter lab {dir}",
    "copy.error": "помилка: {error}",
})


UK.update({
    "check.none": "відповіді ще немає: замініть None своїм кодом",
    "check.not a number": "відповідь має бути числом або масивом чисел, а не {type}",
    "check.ragged": "частини вашої відповіді мають різні форми",
    "check.shape": "форма відповіді {shape}, а має бути {want}",
    "check.transposed": "форма відповіді {shape}, а має бути {want}: транспоновано?",
    "check.not finite": "відповідь не є скінченним числом (переповнення чи 0/0?)",
    "check.sign": "знак неправильний",
    "check.factor": "відрізняється сталим множником: якийсь множник пропущено чи зайвий?",
    "check.close": "близько, але недостатньо точно: заокруглено зарано чи формула менш точна?",
    "check.some right": "правильних значень: {right} з {total}",
    "check.wrong": "значення ще не те; перечитайте підказку над вправою",
    "check.error": "ваш код зупинився з помилкою {error}: {message}",
    "check.grads": "похідна не збігається з чисельним диференціюванням ({mode}, "
                   "порядок {order})",
    "check.warning": "ваш код видав попередження: {message}",
})


# -- помилки й попередження ---------------------------------------------------------
UK.update({
    # checks.py
    "err.check-grads": "check_grads: {what} не збігається з чисельним диференціюванням.\n"
                       "  автоматично: {got}\n  чисельно: {want}\n"
                       "  max |різниця| = {err} (rtol={rtol}, atol={atol})",
    "err.check-mode": "check_grads: невідомий режим {mode}; використовуйте 'fwd' та/або "
                      "'rev'.",
    "part.check fwd": "прямий режим (jvp), порядок {order}",
    "part.check rev": "зворотний режим (vjp), порядок {order}",
    "part.shape mismatch": "форми не збігаються",
    # custom.py
    "err.jvp-none": "custom_jvp {name}: правило defjvps {rule} повернуло None, а має "
                    "повернути дотичну виходу від цього аргументу, наприклад `lambda x_dot, "
                    "ans, x: tnp.cos(x) * x_dot`. Чи не забули ви `return`? (Для аргументу, "
                    "що не впливає на вихід, передайте None замість правила.)",
    "err.jvp-norule": "функція custom_jvp {name} ще не має правила: задайте його через "
                      "@{name}.defjvp.",
    "err.vjp-norule": "функція custom_vjp {name} ще не має правила: спершу викличте "
                      "{name}.defvjp(fwd, bwd).",
    "err.fwd-pair": "custom_vjp {name}: {fwd} має повертати пару (вихід, залишки), наприклад "
                    "`return {name}(x), (x,)` (залишки — це те, що знадобиться bwd; None, "
                    "якщо нічого), а отримано {got}.",
    "err.rule-structure": "{name}: правило повертає вихід структури {tree} і форм {shapes}, "
                          "а функція повертає {want_tree} і форми {want_shapes}; вихід "
                          "правила має бути таким самим, як у функції.",
    "err.vjp-forward": "{name}: прямий режим (jvp, jacfwd, check_grads з modes=('fwd',)) "
                       "натрапив на функцію, що має лише правило зворотного режиму (bwd), "
                       "а ним прямий режим скористатися не може; JAX теж цього не дозволяє. "
                       "Диференціюйте її у зворотному режимі (grad, vjp, jacrev) або задайте "
                       "функції пряме правило через tg.custom_jvp. hessian працює: він "
                       "виконує jacfwd над jacrev, тож прямий режим бачить fwd і bwd як "
                       "звичайний код; але якщо fwd сам викликає цю функцію, обчисліть "
                       "значення в ньому безпосередньо.",
    "err.jvp-pair": "custom_jvp {name}: {rule} має повертати пару (primal_out, tangent_out), "
                    "наприклад {example}, а отримано {got}. Поверніть і вихід, і його "
                    "дотичну.",
    "err.jvp-tangent-none": "custom_jvp {name}: {rule} повертає None замість дотичної "
                            "виходу. Поверніть саму дотичну; нульову дотичну записують як "
                            "tnp.zeros_like(out).",
    "err.jvp-tangent-tree": "custom_jvp {name}: {rule} повертає вихід структури {out_tree} "
                            "і дотичну структури {tangent_tree} (* позначає масив); дотична "
                            "має мати структуру виходу: по одній дотичній на кожен масив "
                            "виходу.",
    "err.jvp-tangent-shape": "custom_jvp {name}: {rule} повертає дотичну форми {shape} для "
                             "виходу форми {out_shape}{leaf}; дотична має ту саму форму, що "
                             "й її вихід. Обчисліть її з дотичних поелементно (наприклад, "
                             "tnp.cos(x) * x_dot) або поширте її (broadcast): "
                             "tnp.broadcast_to(t, out.shape).",
    "err.jvp-tangent-dtype": "custom_jvp {name}: {rule} повертає дотичну типу {dtype} для "
                             "виходу типу {out_dtype}{leaf}; дотична до виходу з рухомою "
                             "комою теж має бути з рухомою комою: пишіть 0.0, а не 0.",
    "err.bwd-tuple": "custom_vjp {name}: {bwd} має повертати кортеж з однією кодотичною на "
                     "кожен аргумент ({count}), наприклад {example}, а отримано {got}.",
    "err.bwd-tree": "custom_vjp {name}: {bwd} повертає для аргументу {i} кодотичну "
                    "структури {tree}, а аргумент має структуру {arg} (* позначає масив); "
                    "надайте їй структуру аргументу, з None на місці нульової частини.",
    "err.bwd-shape": "custom_vjp {name}: {bwd} повертає кодотичну форми {shape} для "
                     "аргументу {i}, форма якого {arg_shape}; форми мають збігатися.",
    "part.its rule": "її правило",
    "part.output leaf": " (листок виходу {k})",
    "part.sequence": "{type} довжини {count}",
    "part.sequence of one": "{type} довжини 1",
    "part.dict": "dict з ключами {keys}",
    "part.array": "масив форми {shape}",
    "part.object": "об'єкт типу {type}",
    # tree.py
    "err.tree-keys": "pytree: ключі словника мають бути впорядковуваними, тобто одного типу, "
                     "а тут змішано {kinds}: {keys}. Використовуйте ключі одного типу, "
                     "наприклад усі str.",
    "err.tree-leaves": "tree_unflatten: структура {treedef} має листків: {want}, а передано "
                       "{got}.",
    "err.tree-map": "tree_map: дерева мають різні структури: {first} і {other}.",
    "part.and": " і ",
    # lectures.py
    "err.no-notebooks": "ця інсталяція tracegrad не містить зошитів лекцій (її встановлено "
                        "без `make dist`?); завантажте їх звідси: {where}",
})

# advice.py, numpy/dispatch.py
UK.update({
    "err.inplace": "Трасований масив не можна змінювати на місці (x[i] = v): його старе "
                   "значення вже може бути записане для зворотного проходу, і зміна дала б "
                   "хибний градієнт. Натомість побудуйте новий масив: x = tnp.at(x)[i].set(v) "
                   "(або .add(v)), що працює і зі звичайними масивами, або "
                   "x = tnp.where(mask, v, x).",
    "err.item": "x.item() від трасованого значення перетворило б його на число Python і "
                "втратило б градієнт.\nЗалиште його масивом (x[0], x.sum()); щоб "
                "використати число після кроку, поверніть його: tg.value_and_grad(f) "
                "повертає ще й значення f, а has_aux=True — будь-яке інше.",
    "err.pytorch": "{what} — це стиль PyTorch; tracegrad, як і JAX, функційний: градієнти "
                   "повертає tg.grad, на самих значеннях нічого не зберігається.\n{instead}",
    "part.pytorch backward": "Запишіть втрати як функцію параметрів і візьміть її "
                             "градієнт: grads = tg.grad(loss_fn)(params).",
    "part.pytorch grad": "Градієнт — це те, що повертає tg.grad: "
                         "grads = tg.grad(loss_fn)(params).",
    "part.pytorch requires_grad": "Нічого вмикати не треба: tg.grad(loss_fn, argnums=(0, "
                                  "1))(w, b) диференціює за тими аргументами, які названо.",
    "part.pytorch detach": "Пишіть tg.stop_gradient(x): те саме значення, але стале для "
                           "кожної похідної.",
    "err.numpy-method": "x.numpy() від трасованого значення перетворило б його на звичайний "
                        "масив і втратило б градієнт.\nЗастосовуйте до нього й далі "
                        "tracegrad.numpy (tnp.sum(x), x @ W); щоб використати числа після "
                        "кроку, поверніть їх: tg.value_and_grad(f) повертає ще й значення f, "
                        "а has_aux=True — будь-яке інше.",
    "err.scipy": "scipy.special.{name} працює лише зі звичайними масивами NumPy, тож цю "
                 "функцію не можна трасувати для диференціювання. Використайте {instead}: "
                 "це та сама функція, записана власними операціями tracegrad.",
    "err.ufunc": "Функцію NumPy np.{call} не можна трасувати для диференціювання. {fix}",
    "part.ufunc without": "Використайте tnp.{name} з tracegrad.numpy без цих аргументів.",
    "part.ufunc none": "У tracegrad.numpy немає відповідника; складіть її з функцій "
                       "tracegrad.numpy.__all__ або обчисліть поза функцією, яку "
                       "диференціюєте, і передайте результат як аргумент.",
    "err.numpy-function": "{name} викликано для трасованого масиву, а в tracegrad.numpy "
                          "немає '{short}', тож цю функцію не можна диференціювати. Складіть її з "
                          "функцій tracegrad.numpy.__all__ (import tracegrad.numpy as "
                          "tnp){example} або застосуйте {name} поза функцією, яку "
                          "диференціюєте.",
    "part.norm example": ", наприклад tnp.sqrt(tnp.sum(x ** 2))",
    "err.tolist": "x.tolist() від трасованого значення перетворило б його на числа Python, "
                  "за якими {who} стежити не може (градієнт було б утрачено).\nЗалиште "
                  "його масивом: індексуйте (x[0]), перебирайте в циклі (for v in x) або "
                  "виведіть print(x), щоб побачити числа; щоб використати їх після кроку, "
                  "поверніть їх (tg.value_and_grad(f) повертає ще й значення f, а "
                  "has_aux=True — будь-яке інше) і викличте .tolist() для результату. "
                  "tg.stop_gradient(x) дає сталу, яка лишається масивом.",
    "err.not-a-method": "x.{name}() не є методом трасованих значень (як і масивів NumPy; "
                        "такий метод мають тензори PyTorch). Пишіть {instead}.",
    "part.pow instead": "x ** p (або tnp.power(x, p))",
    "err.subscript": "звичайний масив NumPy індексовано цілими числами, які трасує {who} "
                     "(під vmap кожен приклад має свої), а індексування NumPy не може "
                     "вибрати для кожного прикладу інший елемент. Пишіть tnp.take(a, k, "
                     "axis=0), що вибирає для кожного прикладу окремо, або "
                     "tg.nn.one_hot(k, n) замість tnp.eye(n)[k].",
    "err.store": "x[i] = v записує значення, яке трасує {who}, у звичайний масив NumPy "
                 "(tnp.zeros, tnp.ones і np.zeros створюють звичайні масиви), що зберігає "
                 "лише числа: градієнт v було б утрачено. Зберіть значення в список і "
                 "складіть їх у масив, preds = tnp.stack([f(x) for x in X]), або щоразу "
                 "будуйте новий масив, preds = tnp.at(preds)[i].set(v) (preds.at[i].set(v), "
                 "щойно preds стане трасованим).",
})

# numpy/
UK.update({
    "err.int-cast": "tnp.{name}(x) від трасованого значення: перетворення на {name} не має "
                    "похідної і втратило б градієнт. Натомість порівнюйте (x > 0), "
                    "заокруглюйте через tnp.round або перетворюйте поза функцією, яку "
                    "диференціюєте. Трасовані значення перетворюють на числа з рухомою "
                    "комою через x.astype(...) або tnp.asarray(x, dtype=...).",
    "err.linspace-args": "linspace: коли start чи stop трасовані, tracegrad не підтримує ні "
                         "retstep, ні axis; обчисліть крок як (stop - start) / (num - 1).",
    "err.linspace-num": "linspace: num має бути невід'ємним, а отримано {num}.",
    "err.clip": "clip: задайте a_min, a_max або обидва.",
    "err.where": "where: задайте або і x, і y, where(cond, x, y), або жодного з них, "
                 "where(cond), щоб отримати позиції, де cond справджується.",
    "err.axis": "{who}: вісь {axis} поза межами масиву (кількість вимірів: {ndim}); "
                "використовуйте вісь від {low} до {high}.",
    "err.matmul-scalar": "matmul: операнди мають бути масивами принаймні з однією віссю, а "
                         "їхні форми {a} і {b}; для скалярів використовуйте *.",
    "err.align": "{who}: форми {a} і {b} не узгоджені: остання вісь першого масиву ({k_a}) "
                 "має дорівнювати {which} осі другого ({k_b}).",
    "part.only axis": "єдиній",
    "part.second-to-last axis": "передостанній",
    "err.reshape-two": "{who}: лише одна вісь може бути -1, а отримано {new}.",
    "err.reshape-infer": "{who}: масив форми {old} (елементів: {total}) не можна "
                         "перетворити на {new}.",
    "err.reshape": "{who}: масив форми {old} (елементів: {total}) не можна перетворити на "
                   "форму {new} (елементів: {count}).",
    "err.transpose": "transpose: осі {axes} не є перестановкою осей масиву форми {shape} "
                     "(кількість осей: {n}).",
    "err.squeeze": "squeeze: вісь {axis} форми {shape} має довжину {length}, а не 1, тож її "
                   "не можна прибрати.",
    "err.broadcast": "broadcast_to: масив форми {shape} не можна поширити (broadcast) до "
                     "форми {want}.",
    "err.concatenate": "concatenate: форми {a} і {b} різняться не лише вздовж осі {axis}.",
    "err.stack": "stack: усі масиви мають бути однієї форми, а отримано {shapes}.",
    "err.no-function": "У tracegrad.numpy немає '{name}'. Функції, які він уміє "
                       "диференціювати, перелічено в tracegrad.numpy.__all__; np.{name} "
                       "звичайного NumPy працює зі звичайними масивами, але не з "
                       "трасованими значеннями всередині grad/jvp.",
})

# numpy/_shape.py, _indexing.py, _order.py
UK.update({
    "err.sections": "array_split: кількість частин має бути більшою за 0.",
    "err.split-equal": "split: вісь довжини {n} не ділиться на рівні частини, кількість яких "
                       "{sections}; для нерівних частин використовуйте tnp.array_split.",
    "err.split-ndim": "{who} працює лише з масивами, вимірів у яких щонайменше {n}.",
    "err.fliplr": "fliplr: масив має мати щонайменше 2 виміри.",
    "err.flipud": "flipud: масив має мати щонайменше 1 вимір.",
    "err.rot90": "rot90: дві осі мають бути різними.",
    "err.moveaxis": "moveaxis: source і destination мають містити однакову кількість осей.",
    "err.rollaxis": "rollaxis: start {start} поза допустимими межами (кількість вимірів: "
                    "{n}).",
    "err.take-mode": "take: mode має бути 'raise', 'wrap' або 'clip', а не {mode}.",
    "err.take-along": "take_along_axis: indices мають мати стільки ж вимірів, скільки масив "
                      "({n}), а отримано {got}.",
    "err.pad-mode": "pad: режим {mode} не підтримується; використовуйте 'constant', 'edge', "
                    "'wrap', 'reflect' або 'symmetric'.",
    "err.gradient-spacing": "gradient: задайте один крок сітки або по одному на кожну вісь "
                            "({axes}), а не {got}.",
    "err.edge-order": "gradient: edge_order має бути 1 або 2.",
    "err.gradient-small": "gradient: масив замалий, щоб обчислити чисельний градієнт: "
                          "потрібно щонайменше (edge_order + 1) елементів.",
    "err.gradient-coords": "gradient: координати осі {axis} мають бути одновимірним масивом "
                           "її довжини ({length}), а отримано форму {shape}.",
    "err.r_": "r_/c_: рядкові директиви ('0,2', 'r') не підтримуються; використовуйте "
              "tnp.concatenate або tnp.stack.",
})

# numpy/_elementwise.py, _order.py, _products.py, linalg.py
UK.update({
    "err.select": "select: condlist і choicelist мають бути однакової довжини.",
    "err.quantile-method": "quantile: метод {method} не підтримується; використовуйте "
                           "'linear', 'midpoint', 'lower', 'higher' або 'nearest'.",
    "err.quantile-traced": "quantile: q має бути звичайним числом або масивом, а не "
                           "трасованим значенням.",
    "err.quantile-range": "quantile: q має бути між 0 і 1 (для percentile: між 0 і 100).",
    "err.quantile-empty": "quantile (або median) від порожнього зрізу: результат — nan",
    "err.einsum-count": "einsum: індекси {spec} описують операндів: {want}, а передано "
                        "{got}.",
    "err.tensordot": "tensordot: форми не узгоджені для підсумовування: вісь {i} масиву a має "
                     "довжину {n}, а вісь {j} масиву b — {m}.",
    "err.cross": "cross: розмірність векторів не підходить для векторного добутку (має бути "
                 "2 або 3).",
    "err.diag": "diag: вхід має бути одно- або двовимірним.",
    "err.triangle": "{who}: вхід має мати щонайменше 1 вимір, а отримано скаляр.",
    "err.square": "{who}: дві останні осі мають утворювати квадратну матрицю, а форма "
                  "{shape}.",
    "err.matrix": "{who}: потрібна матриця (або стос матриць), а форма {shape}.",
    "err.qr-mode": "qr: mode має бути 'reduced', 'complete' або 'r' (tracegrad не підтримує "
                   "{mode}).",
    "err.norm-axis": "norm: axis має бути цілим числом або парою цілих, а не {axis}.",
    "err.norm-ord-matrix": "norm: ord {ord} — для матриць; задайте пару осей.",
    "err.norm-ord": "norm: ord {ord} не годиться для матричної норми.",
})

# lax/
UK.update({
    "err.batch-matmul": "batch_matmul: обидва операнди мають мати однакові пакетні осі й дві "
                        "матричні осі, а їхні форми {a} і {b}.",
    "err.einsum-ellipsis": "einsum: '...' (три крапки) не підтримується; випишіть осі "
                           "літерами, наприклад 'bij,bjk->bik'.",
    "err.einsum-repeat": "einsum: у записі {sub} індекс повторюється (діагональ); це не "
                         "підтримується. Обійдіться без діагоналі, наприклад помножте на "
                         "одиничну матрицю.",
    "err.svd-full": "svd: U і Vᵀ при full_matrices=True для матриці {m}×{n} (її додаткові "
                    "стовпці — будь-яке ортонормоване доповнення, як у JAX) не мають похідної "
                    "(вони не єдині); передайте full_matrices=False або диференціюйте лише "
                    "сингулярні числа (compute_uv=False).",
    "err.qr-complete": "qr: Q при mode='complete' для матриці {m}×{n} (її останні стовпці, "
                       "їх {extra}, — будь-яке ортонормоване доповнення) не має похідної (вона "
                       "не єдина); використовуйте mode='reduced' (R при mode='complete' "
                       "похідну має).",
    "err.eig-complex": "linalg.eig: ця матриця має комплексні власні значення, а tracegrad "
                       "працює лише з дійсними числами. Для симетричної матриці "
                       "використовуйте linalg.eigh; інакше обчисліть це в NumPy поза "
                       "трасованою функцією.",
    "err.branch-structure": "{who}: гілки (або тіло циклу і його початкове значення) "
                            "повертають різні структури, {new} і {old}; під vmap, де "
                            "приклади різні, обчислюються обидві, тож вони мають збігатися.",
    "err.branch-shape": "{who}: гілки (або тіло циклу і його початкове значення) повертають "
                        "форми {new} і {old}; під vmap, де приклади різні, вони мають "
                        "збігатися.",
    "err.scan": "scan: задайте xs або length.",
    "err.index-per-example": "Індекс містить цілі числа, обчислені для кожного прикладу "
                             "окремо (під vmap): так можна лише x[i] або x[i, :] (уздовж "
                             "першої осі); в інших випадках використовуйте tnp.take(x, i, "
                             "axis) або tnp.take_along_axis(x, i, axis).",
    "err.index-traced": "Індекс є трасованим (диференційовним) значенням; індексами можуть "
                        "бути цілі числа, зрізи або булеві маски. Обчисліть індекс зі "
                        "звичайних значень, наприклад через tnp.argmax, що повертає цілі.",
    "err.derivative-none": "{name}: похідна за {argname} ({rule}) повернула None, а має "
                           "повертати ∂{name}/∂{argname} — масив, записаний операціями tnp "
                           "(наприклад, tnp.cosh(x) для sinh). Чи не забули ви `return`?",
})

# random.py
UK.update({
    "err.philox-kind": "philox: невідомий вид {kind}",
    "err.seed-traced": "PRNGKey: зерно (seed) є трасованим значенням (входом vmap, jit чи "
                       "grad), а ключ створюють зі звичайного int. Створіть ключ ззовні й "
                       "передайте його всередину або виводьте ключі з одного ключа: "
                       "random.fold_in(key, i) приймає трасоване ціле i, а random.split(key, "
                       "n) дає n ключів.",
    "err.seed-type": "PRNGKey: зерно має бути цілим числом, а отримано {seed} ({type}); "
                     "пишіть PRNGKey(int(seed)) або PRNGKey(0).",
    "err.seed-range": "PRNGKey: зерно {seed} не вміщується в 64 біти; використовуйте зерно "
                      "від -2**63 до 2**64 - 1 (наприклад, seed % 2**32).",
    "err.split-num": "split: num має бути звичайним int ≥ 0 (скільки ключів), а отримано "
                     "{num}.",
    "err.fold-in-type": "fold_in: data має бути одним цілим числом (номером кроку чи "
                        "індексом), а отримано {got}; пишіть fold_in(key, int(i)).",
    "err.fold-in-range": "fold_in: data має бути від 0 до 2**32 - 1, а отримано {data}.",
    "err.keys": "{who}: приймає один ключ форми (2,), а отримано ключі форми {shape}. Щоб "
                "отримати по одній вибірці з кожного ключа, застосуйте vmap: tg.vmap(lambda k: "
                "random.{who}(k, ...))(keys); або візьміть один: keys[0].",
    "err.key-int": "{who}: ключ є цілим числом {key}, а ключ спершу створюють із зерна: "
                   "key = random.PRNGKey({key}), потім random.{who}(key, ...).",
    "err.key": "{who}: ключ — це масив із двох слів uint32 форми (2,), який створюють "
               "random.PRNGKey(seed), random.split і random.fold_in; а отримано {got}. "
               "Створіть ключ так: key = random.PRNGKey(0).",
    "part.array of dtype": "масив форми {shape} і типу {dtype}",
    "err.shape-type": "{who}: shape має бути кортежем звичайних цілих чисел, наприклад (3,) "
                      "або (2, 4); а отримано {shape}.",
    "err.shape-negative": "{who}: форма {shape} має від'ємний розмір.",
    "err.float-dtype": "{who}: dtype має бути типом з рухомою комою (float64, float32 або "
                       "float16), а отримано {dtype}; для цілих чисел використовуйте "
                       "random.randint.",
    "err.fits": "{who}: {name} має форму {s}, яка не поширюється (broadcast) до "
                "shape={shape}, форми результату; дайте {name} відповідну форму (або "
                "число) чи передайте потрібну форму.",
    "part.traced outside": "трасоване значення поза цим проміжком",
    "err.truncated-bounds": "truncated_normal: lower і upper тут мають бути звичайними "
                            "числами (не масивами й не трасованими значеннями); для "
                            "трасованого масштабу чи зсуву генеруйте зі звичайними межами й "
                            "обчислюйте mu + sigma * z.",
    "err.truncated-order": "truncated_normal: lower ({lower}) має бути меншим за upper "
                           "({upper}).",
    "err.truncated-mass": "truncated_normal: на проміжок ({lower}, {upper}) припадає лише "
                          "{mass} ймовірності нормального розподілу, а цей генератор "
                          "залишає тільки ті нормальні значення, що потрапляють у проміжок; "
                          "візьміть проміжок ближче до 0 (наприклад, (-2, 2)).",
    "err.bernoulli": "bernoulli: p має бути ймовірністю, від 0 до 1, а отримано {p}; для "
                     "логітів використовуйте p = tg.nn.sigmoid(logits).",
    "err.categorical-axis": "categorical: logits мають мати хоча б одну вісь, по одному "
                            "значенню на категорію; для двох категорій використовуйте "
                            "random.bernoulli.",
    "err.categorical-range": "categorical: осі {axis} немає в logits форми {shape}.",
    "err.categorical-shape": "categorical: форма {shape} має закінчуватися на {batch} — "
                             "форму logits {lshape} без осі {axis}; наприклад, shape=(n,) + "
                             "{batch}.",
    "err.randint-dtype": "randint: dtype має бути цілочисловим типом, а отримано {dtype}; "
                         "для чисел з рухомою комою використовуйте random.uniform.",
    "err.randint-range": "randint: maxval має бути більшим за minval (саме maxval не "
                         "входить), а отримано minval {minval}, maxval {maxval}.",
    "err.permutation-n": "permutation: n має бути ≥ 0, а отримано {n}.",
    "err.permutation-0d": "permutation: x — нульвимірний масив; передайте ціле n для "
                          "перестановки range(n) або масив принаймні з однією віссю.",
    "err.choice-0d": "choice: a — нульвимірний масив; передайте ціле n, щоб вибирати з "
                     "range(n), або масив принаймні з однією віссю.",
    "err.choice-many": "choice: без повторень не можна взяти {k} елементів з {n}; візьміть "
                       "щонайбільше {n} або передайте replace=True.",
    "err.choice-empty": "choice: немає з чого вибирати (a не містить жодного елемента).",
    "err.choice-p-shape": "choice: p має форму {shape}, а потрібна одна ймовірність на "
                          "кожен елемент, форма ({n},).",
    "err.choice-p": "choice: p має складатися з ймовірностей, жодна не від'ємна й не всі "
                    "нульові, а отримано {p}.",
    "err.random-axis": "{who}: осі {axis} немає в масиві форми {shape}.",
})


# -- tg.primitives(): each primitive's one-line doc and its special-point convention.
# The English lives beside the primitive (its docstring, its convention); this is
# its translation, and a test checks that every primitive has one. -----------------
_NAN = ("nan на вході — nan на виході (значення й похідні); у ±inf — значення формули "
        "за IEEE")
_ROUND = ("похідна 0 всюди, і в точках стрибка теж (як у JAX); nan на вході — nan на "
          "виході")
_LINEAR = "лінійна: особливих точок немає"
_SVD_UV = ("кратне або (для неквадратної A) нульове сингулярне число робить похідну inf "
           "або nan, як у JAX; full_matrices=True для неквадратної A не має похідної "
           "(TracegradError, як у JAX)")
_TIE = ("за рівності похідна ділиться: по ½ кожному, як у JAX; з nan обидві 0. tnp.{f} "
        "(побудований на {p}) теж ділить рівність: відмінність від JAX, чий {f} віддає все "
        "x2, бо рівність не має переважного боку, а по ½ кожному дає {g}")
_REDUCE = ("за рівності кодотична ділиться порівну, як у JAX; з nan — nan усюди; {m} "
           "порожнього масиву немає (помилка, як у NumPy)")
_UPLO = ("відмінність від JAX: градієнт {f} потрапляє на трикутник, названий UPLO (JAX "
         "симетризує), бо NumPy читає лише цей трикутник")

PRIMITIVES = {
    "abs": ("|x|", "abs′(0) = 1, як у JAX, тож (|x|²)″ = 2 у 0; abs′ = −1 у nan, abs″ = 0"),
    "acos": ("арккосинус", "acos′(±1) = −inf; nan поза [−1, 1]"),
    "acosh": ("обернений гіперболічний косинус", "acosh′(1) = inf; nan для x < 1"),
    "add": ("x + y", "похідні дорівнюють 1 всюди, навіть у nan"),
    "add_along": ("zeros(shape), до якого в позиціях уздовж осі додано g (транспонування "
                  "take_along)", "позиція, вибрана двічі, додається двічі"),
    "argmax": ("індекс максимуму (ціле число: без похідної)",
               "за рівності — перший індекс, nan перемагає (як у NumPy); похідної немає"),
    "argmin": ("індекс мінімуму (ціле число: без похідної)",
               "за рівності — перший індекс, nan перемагає (як у NumPy); похідної немає"),
    "asin": ("арксинус", "asin′(±1) = inf; nan поза [−1, 1]"),
    "asinh": ("обернений гіперболічний синус", _NAN),
    "astype": ("Змінює dtype (між типами з рухомою комою).",
               "похідна 1; кодотична повертається в dtype x"),
    "atan": ("арктангенс", _NAN),
    "atan2": ("atan(y/x) у правильній чверті",
              "у (0, 0) значення 0, а обидві похідні nan (0/0)"),
    "atanh": ("обернений гіперболічний тангенс",
              "atanh(±1) = ±inf з похідною inf; nan поза [−1, 1]"),
    "broadcast_to": ("Копіює вздовж нових осей або осей довжини 1; його VJP підсумовує "
                     "копії назад.", _LINEAR),
    "ceil": ("⌈x⌉, заокруглення вгору", _ROUND),
    "cholesky": ("L, для якої A = L Lᵀ (A симетрична)",
                 "A має бути симетричною додатно визначеною (інакше LinAlgError, як у "
                 "NumPy); відмінність від JAX: градієнт tnp.linalg.cholesky потрапляє лише "
                 "на нижній трикутник (JAX розподіляє його на обидва), бо NumPy читає лише "
                 "цей трикутник, тож верхній не впливає на результат"),
    "concatenate": ("З'єднує масиви вздовж наявної осі; його VJP розрізає кодотичну на "
                    "частини.", "лінійна: порожні частини дозволено"),
    "cos": ("косинус", _NAN),
    "cosh": ("гіперболічний косинус", _NAN),
    "cumsum": ("накопичена сума вздовж ``axis`` (з кінця, якщо ``reverse``)",
               "лінійна: порожня вісь дає порожній результат"),
    "det": ("визначник det A", "градієнт det(A)·A⁻ᵀ потребує A⁻¹: для виродженої A виникає "
                               "помилка (значення — як у NumPy)"),
    "div": ("x / y", "x/0 = ±inf з ∂/∂x = inf; 0/0 = nan; ZeroDivisionError не буває"),
    "eig_values": ("власні значення A, усі дійсні (np.linalg.eig)",
                   "комплексні власні значення відхиляються (TracegradError: tracegrad "
                   "працює лише з дійсними числами); кратне власне значення робить похідну "
                   "власних векторів inf або nan, як у JAX"),
    "eig_vectors": ("власні вектори A, одиничні стовпці (np.linalg.eig, дійсні власні "
                    "значення)", "одиничні стовпці, як у NumPy; похідна — для різних "
                    "дійсних власних значень (вона ділить на w_j − w_i: inf або nan для "
                    "кратного, як у JAX)"),
    "eigh_vectors": ("власні вектори симетричної A (стовпці, як у np.linalg.eigh)",
                     "визначені з точністю до знака; кратне власне значення робить похідну "
                     "inf або nan (вона ділить на w_j − w_i); "
                     + _UPLO.format(f="tnp.linalg.eigh")),
    "eigvalsh": ("власні значення симетричної A за зростанням",
                 "кратне власне значення: похідна — середнє за вибором його власних "
                 "векторів у LAPACK (не єдина); " + _UPLO.format(f="tnp.linalg.eigh/eigvalsh")),
    "einsum": ("Підсумовування Ейнштейна з явним виходом, наприклад 'ij,jk->ik'",
               "порожня вісь підсумовування дає нулі (як у NumPy)"),
    "exp": ("eˣ", _NAN),
    "expm1": ("eˣ − 1, точно для малих x", _NAN),
    "floor": ("⌊x⌋, заокруглення вниз", _ROUND),
    "getitem": ("x[index]", "повторений індекс вибирає двічі: кодотичні додаються"),
    "hypot": ("√(x² + y²), без переповнення",
              "значення як у NumPy, без переповнення й зникання порядку; hypot(±inf, nan) = "
              "inf; у (0, 0) похідні x/hypot, y/hypot дорівнюють 0/0 = nan (у JAX ½; усе "
              "залежить від напрямку, границі немає)"),
    "index_add": ("zeros(shape), до якого за індексом додано g",
                  "повторені індекси додаються"),
    "index_set": ("копія x з x[index] = v (за повторених індексів перемагає останній запис, "
                  "і лише він отримує кодотичну)",
                  "за повтореного індексу перемагає останній запис; лише він отримує "
                  "кодотичну"),
    "integer_pow": ("xⁿ для цілого n", "точна в 0 для всіх порядків (x⁰ = 1 і x¹ = x — "
                                       "стала й лінійна); 0⁻¹ = inf"),
    "inv": ("обернена матриця A⁻¹", "вироджена A дає LinAlgError, як у NumPy"),
    "log": ("натуральний логарифм", "log 0 = −inf з log′(0) = inf; nan для x < 0"),
    "log1p": ("log(1 + x), точно для малих x", "log1p(−1) = −inf з похідною inf"),
    "logabsdet": ("log |det A|, другий вихід slogdet",
                  "для виродженої A значення −inf; градієнт A⁻ᵀ дає помилку"),
    "logaddexp": ("log(eˣ + eʸ), без переповнення",
                  "за рівності кожен отримує по ½; +inf у e^(x−out) читається як 0, як у "
                  "JAX, тож (inf, inf) дає по 1"),
    "logaddexp2": ("log₂(2ˣ + 2ʸ), без переповнення",
                   "значення як у NumPy, до останньої цифри для дуже малих результатів; за "
                   "рівності кожен отримує по ½; +inf у 2^(x−out) читається як 0, як у JAX, "
                   "тож (inf, inf) дає по 1"),
    "logistic": ("σ(x), сигмоїда", "σ(0) = ½, σ′(0) = ¼; σ(±inf) = 1, 0, з σ′ = 0"),
    "matmul": ("A @ B за правилами NumPy",
               "порожня внутрішня вісь дає нулі (як у NumPy); похідні порожні"),
    "max": ("поелементний максимум", _TIE.format(f="fmax", p="max", g="maximum")),
    "min": ("поелементний мінімум", _TIE.format(f="fmin", p="min", g="minimum")),
    "mod": ("x mod y зі знаком y (як % у Python)",
            "похідні 1 і −⌊x/y⌋, як у JAX; у точці стрибка (x/y ціле) — значення справа"),
    "mul": ("x · y", "∂/∂x = y і ∂/∂y = x, навіть там, де x·y є nan"),
    "neg": ("−x", "похідна −1 всюди, навіть у nan"),
    "norm2": ("евклідова норма √(Σ x²) за ``axes`` (кортеж або None для всіх)",
              "norm′(0) = 0; відмінність від JAX (там nan, з √′(0)·0), бо 0 є "
              "субградієнтом: спуск крізь норму, що досягає 0, триває далі, а не "
              "перетворює всі значення на nan"),
    "pinv": ("псевдообернена матриця Мура–Пенроуза A⁺ (np.linalg.pinv)",
             "малі сингулярні числа (≤ rcond·s_max) вважаються нулями, як у NumPy; коли "
             "ранг падає, A⁺ стрибає: похідна (Голуб–Перейра, як у JAX) береться вздовж "
             "матриць того самого рангу"),
    "pow": ("x ** y", "у x = 0, як у JAX: ∂/∂y дорівнює 0 для y ≥ 0 і nan для y < 0; "
                      "∂/∂x = 0 у (0, 0)"),
    "qr_q": ("Q з A = Q R (np.linalg.qr)",
             "A неповного рангу робить похідну inf або nan (R⁻¹), як у JAX; "
             "mode='complete' для високої A не має похідної (TracegradError)"),
    "qr_r": ("R з A = Q R, верхня трикутна (np.linalg.qr)",
             "A неповного рангу робить похідну inf або nan (R⁻¹), як у JAX"),
    "reduce_max": ("reduce_max за ``axes``; за рівності кодотична ділиться порівну",
                   _REDUCE.format(m="максимуму")),
    "reduce_min": ("reduce_min за ``axes``; за рівності кодотична ділиться порівну",
                   _REDUCE.format(m="мінімуму")),
    "reduce_sum": ("Сума за ``axes`` (кортеж або None для всіх).",
                   "сума нічого дорівнює 0; похідні 1"),
    "reshape": ("Ті самі числа, нова форма.", _LINEAR),
    "rint": ("найближче ціле (половини — до парного)", _ROUND),
    "select": ("where(cond, x, y); cond — звичайний булевий масив",
               "похідна йде лише у вибрану гілку; cond похідної не має"),
    "sign": ("−1, 0 або 1", "sign(0) = 0; похідна 0 всюди, і в 0 теж"),
    "sin": ("синус", _NAN),
    "sinh": ("гіперболічний синус", _NAN),
    "softplus": ("log(1 + eˣ), гладкий relu", "softplus′ = σ: ½ у 0, softplus″(0) = ¼"),
    "solve": ("x, для якого A x = b", "вироджена A дає LinAlgError, як у NumPy"),
    "sqrt": ("√x", "√0 = 0 з √′(0) = inf; nan для x < 0"),
    "square": ("x²", "square″ = 2 всюди, навіть у nan"),
    "stop_gradient": ("Тотожне відображення, яке вважають сталою: його похідна — нуль.",
                      "похідна 0 всюди"),
    "sub": ("x − y", "похідні 1 і −1 всюди, навіть у nan"),
    "svd_u": ("ліві сингулярні вектори U матриці A (стовпці, np.linalg.svd)", _SVD_UV),
    "svd_values": ("сингулярні числа A за спаданням (np.linalg.svd)",
                   "перша похідна скінченна всюди, навіть для кратних і нульових "
                   "сингулярних чисел; друга проходить через U̇ і V̇, тож для кратного "
                   "числа вона nan, як у JAX"),
    "svd_vt": ("праві сингулярні вектори Vᵀ матриці A (рядки, np.linalg.svd)", _SVD_UV),
    "take_along": ("np.take_along_axis(x, p, axis); p — цілочисловий масив позицій "
                   "(без похідної), наприклад результат argsort",
                   "позиція, вибрана двічі: кодотичні додаються; позиції похідної не мають"),
    "tan": ("тангенс", _NAN),
    "tanh": ("гіперболічний тангенс", "tanh(±inf) = ±1 з похідною 0"),
    "transpose": ("Переставляє осі.", _LINEAR),
    "trunc": ("заокруглення до 0", _ROUND),
}

# The local derivatives' words (Primitive.formulas), by their English; formulas that are
# only mathematics are the same in every language and are not listed.
FORMULAS = {
    "1 (copied)": "1 (скопійовано)",
    "1 (moved)": "1 (переміщено)",
    "1 (placed)": "1 (розміщено)",
    "1 at index": "1 в index",
    "1 at the picked elements": "1 на вибраних елементах",
    "1 at the winner": "1 у переможця",
    "1 except at index": "1 всюди, крім index",
    "1 for every later position": "1 для кожної наступної позиції",
    "1 if x < y": "1, якщо x < y",
    "1 if x > y": "1, якщо x > y",
    "1 if y < x": "1, якщо y < x",
    "1 if y > x": "1, якщо y > x",
    "1 where cond": "1 там, де cond",
    "1 where not cond": "1 там, де не cond",
    "L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, symmetrized": "L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, симетризовано",
    "sign(x), 1 at 0": "sign(x), 1 у 0",
    "the other operands": "інші операнди",
    "x/‖x‖ (0 at x = 0)": "x/‖x‖ (0 при x = 0)",
}

# drawing/ і widgets/
UK.update({
    "err.graph-tangents": "graph: tangents має бути кортежем з однією дотичною на кожен "
                          "аргумент з argnums ({count}), наприклад tangents=(1.0,).",
    "err.save-format": "save: формат має бути 'svg', 'pdf' або 'png' (із суфікса файлу або "
                       "format=), а не {fmt}.",
    "err.save-dpi": "save: dpi має бути кількістю точок на дюйм від 10 до 2400 (300 для "
                    "друку, 150 для слайдів), а не {dpi}.",
    "err.save-theme": "save: theme має бути однією з {themes}, а не {theme}.",
    "err.too-big": "save: цей граф завеликий для слайда: його найменший текст становить "
                   "{ratio} висоти слайда 16:9 (тема projector розрахована на {target}). "
                   "Покажіть менше: graph.collapse(...), max_nodes= або частину через "
                   "graph.path(name).",
    "err.light-theme": "світла тема має давати кожній ролі власний колір",
    "err.type-ratio": "type_ratio: у цьому SVG немає <svg width=...pt height=...pt>.",
    "err.not-png": "with_dpi: це не файл PNG.",
    "err.graph-argnums-range": "graph: argnums={argnums} виходить за межі: аргументів лише "
                         "{count}.",
    "err.evaluate-count": "evaluate приймає аргументи функції такі, як під час малювання "
                          "графа: аргументів має бути {want}, а не {got}.",
    "err.evaluate-structure": "evaluate: аргумент {i} має структуру {new}, а граф намальовано "
                              "зі структурою {old}.",
    "err.evaluate-constant": "evaluate: за аргументом {i} не диференціювали (argnums="
                             "{argnums}), тож граф зберігає його значення як сталу й не може "
                             "взяти нове. Намалюйте граф з аргументом {i} в argnums.",
    "err.collapse": "collapse: у цьому графі немає функції з назвою {names}; {rest}",
    "part.collapse functions": "згорнути можна такі функції: {functions}.",
    "part.collapse none": "у ньому немає блоків функцій, які можна згорнути.",
    "err.render-format": "render: формат має бути 'svg', 'png' або 'pdf', а не {fmt}.",
    "err.unknown-name": "у цьому графі немає значення з назвою {name}; {hint}назви такі: "
                        "{shown}.",
    "part.did you mean": "можливо, ви мали на увазі {close}? ",
    "part.or": " або ",
    "err.graph-option": "graph: невідомі параметри {unknown}; можливі параметри: {options}.",
    "err.graph-theme": "graph: theme має бути однією з {themes}, а не {theme}.",
    "err.graph-rankdir": "graph: rankdir має бути 'TB', 'LR', 'BT' або 'RL', а не "
                         "{rankdir}.",
    "err.graph-show": "graph: show може містити 'value', 'grad', 'tangent' і 'shape', а не "
                      "{bad}.",
    "err.graph-language": "graph: language має бути однією з {languages}, а не {name}.",
    "err.graph-fold": "graph: fold має бути True (однакові проходи циклу показати один раз) "
                      "або False (показати кожен прохід), а не {fold}.",
    "err.graph-positive": "graph: {option} має бути додатним цілим числом, а не {value}.",
    "err.path-no-output": "path: цей граф не має трасованого виходу.",
    "err.graphviz": "Програму `dot` з Graphviz не знайдено, тому граф показано як текст.\n"
                    "Встановіть Graphviz і виконайте клітинку ще раз:\n"
                    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
                    "  macOS:          brew install graphviz\n"
                    "  conda:          conda install -c conda-forge graphviz\n"
                    "  Windows:        winget install graphviz  (або "
                    "https://graphviz.org/download/),\n"
                    "                  потім додайте його теку bin до PATH\n"
                    "(самого `pip install graphviz` недостатньо: він встановлює лише "
                    "обгортку для Python.)",
    "err.graphviz-timeout": "Graphviz розкладав цей граф довше ніж {timeout} с. Покажіть "
                            "менше вузлів: передайте max_nodes= (наприклад, 200) або "
                            "collapse= з назвами функцій, які слід згорнути в окремі блоки.",
    "err.graphviz-failed": "Graphviz завершився з помилкою: {error}",
    "err.renderer": "renderer має бути одним із {renderers}, а не {name}: наприклад, "
                    "tg.graph(f, renderer='browser') або tg.set_renderer('dot').",
    "err.step-mode": "mode має бути одним із {modes}, а не {mode}.",
    "err.no-backward": "Цей граф не має зворотного проходу, який можна пройти покроково: його "
                       "вихід не скаляр, або його намальовано з argnums=None чи tangents=. "
                       "Намалюйте його через tg.graph(f, argnums=...)(...) для скалярної f "
                       "або використайте mode='forward'.",
    "err.no-tangents": "Цей граф не містить дотичних. Намалюйте його через tg.graph(f, "
                       "tangents=(v,))(x), щоб покроково пройти прямий режим.",
    "err.need": "tracegrad.widgets потребує {module} (і JupyterLab, щоб показати віджети). "
                "Встановіть їх так:  pip install ipywidgets anywidget jupyterlab   (або: pip "
                "install 'tracegrad[lab]'), а потім перезапустіть ядро.",
    "err.explore-signature": "explore: не вдається прочитати параметри цієї функції; "
                             "передайте функцію, визначену через def.",
    "err.explore-unknown": "explore: {unknown} не є параметрами {signature}.",
    "err.explore-no-slider": "explore: параметр {name} не має ні повзунка, ні значення за "
                             "замовчуванням; передайте {bare}=(low, high) або задайте "
                             "значення за замовчуванням у def.",
    "err.explore-range": "explore: діапазон {name} має бути (min, max), (min, max, value) "
                         "або (min, max, step, value).",
    "err.explore-start": "explore: початкове значення {value} параметра {name} лежить поза "
                         "його діапазоном ({lo}, {hi}).",
    "err.stepper-function": "stepper: {name} — це функція, а покроковому перегляду потрібен "
                            "її записаний граф. Передайте tg.graph({name})(...), викликаний "
                            "з аргументами {name}: "
                            "tg.widgets.stepper(tg.graph({name})(params, x, y)).",
    "err.stepper-type": "stepper: очікувався граф від tg.graph(f)(...), а не {type}.",
    "repr.graphview": "GraphView(вузлів: {count}; розкладено в браузері)",
    "repr.stepper": "Stepper({mode}; кроків: {steps}; вузлів у графі: {nodes})",
    "part.pass reverse": "зворотний прохід",
    "part.pass forward": "прямий прохід",
    "part.pass tangent": "прохід дотичних",
    "repr.explorer": "Explorer({name}: повзунки для {names})",
})

# forward.py (jvp) і tracegrad/__init__.py
UK.update({
    "err.jvp-tuples": "jvp(fun, primals, tangents): primals і tangents мають бути кортежами "
                      "з одним елементом на кожен аргумент, наприклад jvp(f, (x,), (v,)).",
    "err.jvp-structure": "jvp: primals і tangents мають мати однакову структуру, а вони "
                         "мають {primals} і {tangents}.",
    "err.jvp-shape": "jvp: дотична {k} має форму {shape}, а її точка (primal) — форму "
                     "{primal}; форми мають збігатися.",
    "err.no-attribute": "модуль 'tracegrad' не має атрибута {name}",
})

# arguments.py: що користувач передає перетворенню
UK.update({
    "the function": "функція",
    "hint.set": "множина не має порядку, тож передайте натомість список або кортеж її масивів",
    "hint.dataclass": "передайте його масиви у словнику, наприклад dataclasses.asdict(obj), і, "
                      "якщо потрібно, відновіть об'єкт усередині функції",
    "hint.object": "передайте його масиви в кортежі, списку чи словнику, наприклад "
                   "{{'w': obj.w, 'b': obj.b}}, і, якщо потрібно, відновіть об'єкт усередині "
                   "функції",
    "err.not-callable": "{who} приймає саму функцію, а не її значення: {example}. Передано "
                        "{kind}, а його не можна викликати.",
    "err.generator": "{who}: {name} — функція-генератор (містить `yield`), тож її виклик дає "
                     "генератор, а не значення. Повертайте значення через return, а не "
                     "через yield.",
    "err.returned-none": "{who}: {name} повертає None; чи не забули ви `return`?",
    "err.int-input": "{who}: вхід {position} має тип {dtype}, а похідні визначено лише для "
                     "дійсних (з рухомою комою) входів. Передайте дійсні числа, наприклад "
                     "np.asarray(x, dtype=float) або 3.0 замість цілочисельного масиву "
                     "(звичайні цілі та дійсні числа Python приймаються як є). Якщо за ним "
                     "не треба диференціювати (мітки, кількість), передайте його окремим "
                     "аргументом, якого немає в argnums.",
    "err.not-pytree": "{who}: вхід {position} має тип {kind}, а це не дерево (pytree): "
                      "tracegrad шукає масиви лише в кортежах, списках, словниках і "
                      "namedtuple. Щоб диференціювати за його масивами, {hint}.",
    "err.list-input": "{who}: вхід — це {kind} Python з {n} чисел, а список є деревом "
                      "скалярів: функція отримує {n} окремих трасованих скалярів у {kind}, а не "
                      "масив, тому арифметика масивів над ним не працює. Якщо ви мали на увазі "
                      "масив, передайте np.array({example}).",
    "err.tangent-int": "{who}: дотична {position} має тип {dtype}, а її точка дійсна "
                       "({primal}), і дотична має тип своєї точки. Передайте дійсні числа, "
                       "наприклад np.ones(3) замість np.ones(3, dtype=int).",
    "err.argnums-type": "{who}: argnums={argnums} не є позицією: argnums — це позиція "
                        "аргументу, за яким диференціюємо (ціле число, 0 для першого), або "
                        "кортеж позицій, наприклад argnums=1 чи argnums=(0, 1). Імена не "
                        "приймаються: передайте аргументи для диференціювання позиційно.",
    "err.argnums-none": "{who}: функцію викликано без позиційних аргументів, тож "
                        "диференціювати нема за чим (argnums={argnums}). Передайте аргументи "
                        "для диференціювання позиційно, наприклад grad_f(x), а не "
                        "grad_f(x=x); іменовані аргументи вважаються сталими.",
    "err.argnums-range": "{who}: argnums={argnums} поза межами: функцію викликано з "
                         "{nargs} позиційними аргументами, тож argnums має бути від 0 до "
                         "{last}. Передайте аргументи для диференціювання позиційно.",
    "err.argnums-repeated": "{who}: argnums={argnums} називає аргумент {position} більше "
                            "одного разу; за кожним аргументом диференціюють лише раз, тож "
                            "вкажіть кожну позицію один раз, наприклад argnums={once}.",
    "err.scalar-container": "{who}: функція має повертати один скаляр, а повертає {kind}.",
    "err.scalar-container-aux": "{who}: функція має повертати один скаляр, а повертає "
                                "{kind}; щоб повернути додаткові значення поряд із функцією "
                                "втрат, поверніть (loss, extra) і передайте has_aux=True.",
    "err.scalar-one": "{who}: функція має повертати скаляр (форма ()), а повертає масив форми "
                      "{shape} з одним числом. Поверніть out.squeeze() або візьміть це число "
                      "індексом: out[{index}].",
    "err.scalar-shape": "{who}: функція має повертати скаляр, а повертає масив форми {shape}. "
                        "grad призначений для скалярних виходів, як-от функція втрат. Зведіть "
                        "його до скаляра (наприклад .sum() або .mean()), або скористайтеся "
                        "tg.jacrev(fun) для всієї матриці Якобі, або tg.vjp(fun, x), щоб "
                        "повернути назад котангенс форми {shape}.",
    "err.scalar-dtype": "{who}: функція повертає значення типу {dtype}; для градієнта вихід "
                        "має бути дійсним (з рухомою комою).",
})

# core.py: трасери і трасування
UK.update({
    "complex.result": "{name} від дійсних аргументів дав комплексний результат",
    "complex.argument": "аргумент {argument} операції {name} — комплексне значення ({dtype})",
    "complex.input": "вхід {k} функції {who} — комплексне значення ({dtype})",
    "complex.tangent": "дотична або котангенс комплексні ({dtype}) там, де значення дійсне "
                       "({real})",
    "err.complex": "{what}. tracegrad працює лише з дійсними числами: комплексне значення "
                   "всередині grad, jvp, vjp, vmap чи jit десь втратило б уявну частину і мовчки "
                   "дало б хибну похідну. Запишіть комплексну арифметику двома дійсними масивами "
                   "(дійсна та уявна частини: e^(ix) = cos x + i·sin x) або обчисліть комплексну "
                   "частину поза функцією, яку перетворюєте.",
    "and": " і ",
    "err.shape-args": "{name}: не застосовується до аргументів форм {shapes}: {error}",
    "escaped.array": ", а потім передане в np.array() (або в plt.plot, який його викликає)",
    "escaped.number": ", а потім передане в {kind}()",
    "err.escaped": "трасоване значення вийшло за межі {who}, яке вже завершилося: його "
                   "зберегли, поки {who} виконувалося (додали до списку, записали в глобальну "
                   "змінну чи атрибут){how}. Список, заповнений усередині функції, містить такі "
                   "трасовані значення, а не числа, і їхній облік похідних уже втрачено, тож "
                   "будь-який результат був би хибним. Щоб записати значення функції втрат, "
                   "записуйте число після кроку: `loss, g = tg.value_and_grad(f)(w)`, потім "
                   "`hist.append(float(loss))`. Будь-яке інше значення поверніть: для grad чи "
                   "vjp поверніть (output, value) і передайте has_aux=True; для jvp поверніть "
                   "його як додатковий вихід.",
    "err.len-scalar": "len() від 0-вимірного (скалярного) трасованого масиву",
    "err.asarray": "np.asarray()/np.array() викликано на трасованому масиві; перетворення на "
                   "звичайний масив NumPy мовчки відкинуло б його градієнт. Усередині функції, "
                   "яку диференціюєте, використовуйте на цьому кроці tracegrad.numpy (import "
                   "tracegrad.numpy as tnp) замість numpy. Щоб свідомо скористатися самими "
                   "числами, поверніть їх (has_aux=True) або обчислюйте з ними поза функцією, "
                   "яку диференціюєте.",
    "math.for": "{tnp}(x) замість math.{math}",
    "err.math": "math.{function}() приймає лише звичайні числа Python, тож викликала float() "
                "від значення, трасованого {who}, і результат не мав би градієнта.\n"
                "Пишіть {uses}: tracegrad.numpy (import tracegrad.numpy as tnp) працює і з "
                "трасованими значеннями, і зі звичайними масивами.",
    "number.math": "Модуль math з Python теж викликає float(): пишіть tnp.exp, tnp.log, "
                   "tnp.sqrt, tnp.sin, tnp.tanh (і так далі) замість math.exp, math.log, "
                   "math.sqrt, math.sin, math.tanh.",
    "err.number": "{kind}() від значення, трасованого {who}, відкинув би його градієнт: "
                  "результат — звичайне число, за яким {who} не може стежити.\nЗалиште його "
                  "масивом і застосовуйте tracegrad.numpy; для розгалуження порівнюйте "
                  "(`if x > 0:` працює); щоб надрукувати, print(x); щоб скористатися числом "
                  "після кроку, поверніть його: tg.value_and_grad(f) повертає й значення f, "
                  "has_aux=True — будь-яке інше.{more}",
})

# jit.py: його помилки й попередження (JitWarning) і чому він виконується без компіляції
UK.update({
    "jit.versions": "tg.jit({name}) має {count} скомпільованих версій; .source(x, ...) "
                    "показує ту, що обслуговує ці аргументи:",
    "jit.version": "{k}. для {signature}",
    "jit.version guard": " (перевірка в {where})",
    "jit.latest": "Остання, номер {count}:",
    "jit.shows": "показує трасоване значення (print, repr чи format)",
    "jit.why guard": "перевірка (guard) знову не справдилася після {limit} скомпільованих "
                     "версій (розгалуження в {where})",
    "jit.why impure": "функція {what} у {where}; скомпільований код цього вже не повторив би",
    "err.jit-static-type": "jit: static_argnums мають бути цілими числами, а передано {static}.",
    "err.jit-static-range": "jit({name}): static_argnums={static} поза межами для виклику з "
                            "{nargs} позиційними аргументами.",
    "err.jit-static-hash": "jit({name}): статичний аргумент {position} має бути хешованим "
                           "(він є частиною ключа кешу), а він має тип {kind}; передайте "
                           "кортеж замість списку або трасуйте його (приберіть зі "
                           "static_argnums).",
    "err.jit-finished": "jit({name}): листок аргументу {k} — трасоване значення з "
                        "перетворення, яке вже завершилося.",
    "err.jit-leaf": "jit({name}): аргумент (листок {k}) має тип {kind}, а його не можна "
                    "трасувати: трасуються лише масиви й числа. Якщо він лише керує "
                    "обчисленням, позначте його статичним: tg.jit({name}, static_argnums=(...)).",
    "err.jit-random": "tg.jit({name}) під час трасування брав числа з глобального генератора "
                      "NumPy (np.random.rand, np.random.normal, ...): ці числа стали сталими "
                      "скомпільованого коду, тож кожен виклик використовує ті самі (ту саму "
                      "маску dropout, той самий шум). Натомість беріть їх із tg.random за "
                      "ключем, переданим як аргумент, новим для кожного виклику: "
                      "`key, sub = tg.random.split(key)`, а потім "
                      "`tg.random.uniform(sub, x.shape)` усередині функції.",
    "err.jit-names": "tg.jit({name}): повторне трасування, щоб знайти імена, дало іншу "
                     "програму (випадкові числа, взяті всередині функції?), тож код лишається з "
                     "простими іменами (t1, arg0), а скомпільований код — без змін.",
    "err.jit-eager": "tg.jit({name}) відтепер виконує функцію без компіляції для таких "
                     "аргументів: {why}.",
    "err.jit-nothing-yet": "jit({name}).source() без аргументів показує останній "
                           "скомпільований код, але ще нічого не скомпільовано. Спершу "
                           "викличте функцію або передайте аргументи, для яких компілювати: "
                           ".source(x, ...), так само, як викликаєте її.",
    "err.jit-no-code": "jit({name}): для цих аргументів немає скомпільованого коду; функція "
                       "виконується без компіляції, бо {why}.",
    "err.jit-not-callable": "jit: очікувалася функція, а передано {kind}.",
})

# reverse.py: vjp, grad і їхні зворотні відображення (pullback)
UK.update({
    "leaf": "листок {k}",
    "of argument": "{path} аргументу {i}",
    "zero.argument": "аргументу {i}, за яким диференціює grad",
    "zero.arguments": "аргументів {i}, за якими диференціює grad",
    "err.aux-pair": "{who}(..., has_aux=True): функція має повертати пару (вихід, aux), а "
                    "повертає {kind}.",
    "err.cotangent-tree": "{who}: котангенс має мати структуру виходу, {out}, а має {tree}.",
    "err.cotangent-shape": "{who}: котангенс має форму {shape}, а вихід — форму {out}; форми "
                           "мають збігатися.",
    "err.zero-gradient": "{who}: вихід не залежить від {inputs}: жодна диференційовна "
                         "операція в {name} не використала жодного з цих входів, тож "
                         "градієнт нульовий. Можливо, {name} читає глобальну змінну (W) "
                         "замість свого аргументу (w)? Обчислюйте вихід з аргументу; щоб "
                         "диференціювати за іншим аргументом, передайте argnums. Якщо так і "
                         "задумано (стала або сходинкова функція, побудована з порівнянь), "
                         "вимкніть це попередження: "
                         "warnings.simplefilter('ignore', tg.ZeroGradientWarning).",
})

# vmap.py: пакети (batch), in_axes і out_axes
UK.update({
    "vmap.argument": "аргумент {k}",
    "vmap.output": "вихід",
    "vmap.disagree": "приклади не узгоджуються: для прикладу 0 це {first}, а для прикладу {k} — "
                     "{other}, а Python може піти лише однією гілкою для всього пакета",
    "vmap.axis from": "використайте вісь від {low} до {high}",
    "vmap.scalar": "скаляр не має осі, за якою відображати",
    "vmap.list": "{what} — список або кортеж, який vmap читає як дерево окремих входів (по "
                 "одному на елемент, як у JAX), а число не має осі, за якою відображати. Щоб "
                 "відображати за його елементами, передайте масив: np.array([...])",
    "vmap.size": "{where}: {size} (вісь {ax} форми {shape})",
    "err.vmap-empty-loop": "vmap: {name} не має правила для пакетів, а на пакеті з 0 прикладів "
                           "цикл, що його заміняє, не може визначити форму результату. Дайте "
                           "пакету хоча б один приклад.",
    "err.len-scalar-batched": "len() від 0-вимірного (скалярного) значення",
    "err.vmap-ambiguous": "{kind}() від масиву з {size} елементів неоднозначне (правило "
                          "NumPy); використайте .any() або .all().",
    "err.vmap-bug": "vmap: власний код tracegrad ({module}, {where}) запросив {kind}() від "
                    "пакетного значення, але {disagree}. Це помилка в tracegrad, а не у вашому "
                    "коді: будь ласка, повідомте про неї. Доки її не виправлено, перебирайте "
                    "приклади циклом Python замість vmap для цієї функції.",
    "err.vmap-branch": "vmap: {kind}() від пакетного значення в {where}, наприклад `if` чи "
                       "`while` Python за ним, але {disagree}. Запишіть вибір через "
                       "tnp.where(cond, a, b), що вибирає для кожного прикладу окремо (так "
                       "само lax.cond, lax.switch і lax.while_loop), або винесіть розгалуження "
                       "за межі функції, до якої застосовуєте vmap.",
    "err.vmap-asarray": "np.asarray()/np.array() викликано на пакетному значенні всередині "
                        "vmap; один масив NumPy не може представляти всі приклади. "
                        "Використайте на цьому кроці tracegrad.numpy (tnp) або візьміть "
                        "значення з результату функції, до якої застосовано vmap.",
    "err.vmap-empty": "vmap: {name} на пакеті з 0 прикладів: немає прикладу, з якого "
                      "визначити форму результату.",
    "err.vmap-ragged": "vmap: {name} дає результати різних форм для різних прикладів "
                       "({shapes}), а пакет має одну форму для всіх прикладів. Обчисліть це "
                       "поза функцією, до якої застосовуєте vmap, або зробіть форму сталою "
                       "(наприклад tnp.where(cond, x, 0) замість позицій, де виконується "
                       "cond).",
    "err.in-axes-count": "{who}: in_axes має {n} елементів, а функцію викликано з {nargs} "
                         "позиційними аргументами; дайте по одному елементу на аргумент "
                         "(наприклад in_axes={example}) або одне ціле число чи None для всіх.",
    "err.in-axes-dict": "{who}: in_axes — словник, а має бути цілим числом, None або кортежем "
                        "з одним елементом на кожен позиційний аргумент; для аргументу-словника "
                        "пишіть in_axes=({spec},).",
    "err.axes-type": "{who}: {name} містить {spec}, а вісь має бути цілим числом або None (у "
                     "кортежі, списку чи словнику тієї ж структури, що й аргументи).",
    "err.axes-structure": "{who}: {name} дорівнює {spec}, а це не збігається зі структурою, "
                          "яку має {where}: {tree} (* — масив). Дайте {name} ту саму структуру "
                          "(ті самі ключі, ту саму кількість елементів) або одне ціле число чи "
                          "None для всього, що містить {where}.",
    "err.in-axes-range": "{who}: in_axes {ax} поза межами: {where} має форму {shape}; {hint} "
                         "або None, щоб усі приклади отримали те саме значення.",
    "err.vmap-nothing": "{who}: жоден вхід не відображається (in_axes дорівнює None для "
                        "кожного аргументу або аргументів-масивів немає), тож немає пакета, "
                        "за яким виконувати. Дайте хоча б одному входу вісь пакета, наприклад "
                        "in_axes=0.",
    "err.vmap-sizes": "{who}: відображувані входи мають різну кількість прикладів: {listed}. "
                      "Усі відображувані входи мають мати однакову кількість; для входу, "
                      "спільного для всіх прикладів, вкажіть None в in_axes.",
    "err.out-axes-none": "{who}: out_axes дорівнює None для: {where}, але це значення "
                         "змінюється від прикладу до прикладу (залежить від відображуваного "
                         "входу). Дайте ціле out_axes, щоб скласти приклади, або повертайте "
                         "лише те, що спільне для всіх прикладів.",
    "err.out-axes-range": "{who}: out_axes {ax} поза межами: {where} має форму {shape} на "
                          "один приклад; використайте вісь від {low} до {high}.",
})

# core.py: попередження NumPy, повторені в рядку користувача
UK.update({
    "numpy.warning": "{kind}{where}{why}",
    "numpy.divide by zero": "ділення на нуль",
    "numpy.invalid value": "недійсне значення",
    "numpy.overflow": "переповнення",
    "numpy.underflow": "антипереповнення",
    "numpy.in": " у {name}",
    "numpy.in numpy": " у функції NumPy",
    "numpy.computing": " під час обчислення {rule}",
    "numpy.computing alone": " під час обчислення {rule}",
    "numpy.forward rule": "похідної {name} (прямий режим)",
    "numpy.backward rule": "похідної {name} (зворотний прохід)",
    # usercode.py: a place in a notebook cell
    "usercode.cell line": "{name}, рядок {line}",
})

# program.py: програму виконують знову на нових аргументах
UK.update({
    "usercode.inside": "{where} (у {name})",
    "err.program-arguments": "evaluate: програму записано з входами {want}, а отримано {got}. "
                             "Передайте аргументи так, як викликали функцію під час "
                             "трасування, з тією самою структурою.",
})

# widgets/player.py і static/player.js: програвач трасування
UK.update({
    "trace.player": "програвач трасування: рядки функції виконуються один за одним, і кожна "
                    "операція записується",
    "trace.source": "код {name}: стрілками виберіть рядок, і його вузли буде обведено",
    "trace.start": "Перед першим рядком: входи {inputs}",
    "trace.no inputs": "Перед першим рядком: входів немає",
    "trace.phase forward": "запис (прямий прохід)",
    "trace.phase backward": "зворотний прохід",
    "trace.line": "рядок {line}",
    "trace.pass": "{name}, цикл у рядку {line}: прохід {number} з {total}",
    "trace.no source": "(код {name} неможливо прочитати)",
    "trace.made on": "{name} записано в рядку {line}",
    "trace.line made": "рядок {line} записав: {names}",
    "trace.line none": "рядок {line} ще нічого не записав",
    "repr.trace": "TracePlayer({name}: записано операцій: {ops}; кроків: {steps})",
    "err.trace-graph": "tg.widgets.trace: граф не містить коду, який можна показати. Передайте "
                       "функцію та її аргументи: tg.widgets.trace(f, x); або пройдіть цей граф "
                       "крок за кроком за допомогою tg.widgets.stepper(graph).",
    "err.trace-function": "tg.widgets.trace: очікувалася функція, яку можна виконати й записати, "
                          "а не {type}: tg.widgets.trace(f, x).",
})

# widgets/explorer.py and static/explorer.js: дослідник, друге видання
UK.update({
    "explorer": "дослідник: повзунки, функція вздовж кожного, її дотична і градієнт",
    "explorer.along": "{out} вздовж {name}",
    "explorer.slope": "нахил дотичної: ∂{out}/∂{name} = {slope}",
    "explorer.contour": "лінії рівня {out} на площині {x}, {y}",
    "explorer.gradient": "∇{out}: градієнт, угору",
    "explorer.descent": "−∇{out}: напрям спуску",
    "explorer.point": "точка ({x}, {y}), {out} = {value}",
    "explorer.step": "Крок спуску",
    "explorer.rate": "швидкість навчання",
    "explorer.clear": "Стерти слід",
    "explorer.trail": "зроблено кроків: {count}",
    "explorer.grid": ("Значення і градієнти обчислено в усіх {points} точках сітки повзунків, "
                      "коли виконувалася клітинка: повзунки працюють без ядра."),
    "explorer.kernel": ("{points} точок сітки забагато, щоб обчислити їх заздалегідь: кожен "
                        "рух повзунка запитує ядро."),
    "explorer.snap": "Крок спуску потрапляє в найближчу точку сітки повзунків.",
    "explorer.graph": "Граф, записаний у початковій точці:",
    "err.explore-nothing": "explore: не задано жодного повзунка; назвіть параметр і його "
                           "діапазон, наприклад explore(f, {name}=(-2, 2)).",
})

# words.counted: a count and its noun, agreeing
UK.update({
    "lec.operations counted": "операція|операції|операцій",
    "lec.clipped 5 to 1": "5 обрізано до 1",
    "lec.at 0, fixed": "у 0, виправлена",
    "lec.at −2": "у −2",
    "lec.constant": "стала",
    "lec.at 0": "у 0",
    "lec.at 2": "у 2",
})
