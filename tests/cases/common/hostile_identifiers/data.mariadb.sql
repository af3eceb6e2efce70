INSERT INTO `Ta"ble ü` (`id`, `select`) VALUES (1, 'x y');
